import { ArmClient, ArmClientOptions, publicArmBaseUrl } from "./armClient";
import { ArmCredentialChoice, armCredentialChoice, readOidcAssertion } from "./armCredential";

/**
 * Where the client talks to ARM. `LLMOPS_ARM_ENDPOINT` overrides the public cloud, e.g.
 * https://management.usgovcloudapi.net for Azure Government, or a local fake in tests.
 */
export const armEndpointVariable = "LLMOPS_ARM_ENDPOINT";

export function armBaseUrlFromEnvironment(env: NodeJS.ProcessEnv): string {
  const configured = env[armEndpointVariable]?.trim();
  if (!configured) return publicArmBaseUrl;
  let url: URL;
  try {
    url = new URL(configured);
  } catch {
    throw new Error(`${armEndpointVariable}: expected an absolute URL such as ${publicArmBaseUrl}, found '${configured}'`);
  }
  return url.origin;
}

/** The AAD scope for an ARM base URL: `<origin>/.default` (https://management.azure.com/.default for public). */
export function armTokenScope(baseUrl: string): string {
  return `${new URL(baseUrl).origin}/.default`;
}

interface TokenCredentialLike {
  getToken(scope: string): Promise<{ token: string } | null>;
}

/**
 * A token source for `scope`: the `ARM_*` service principal azure-native is configured with (OIDC or client
 * secret) when present, else `DefaultAzureCredential` (AZURE_* variables, workload/managed identity, az CLI).
 * `@azure/identity` is required lazily inside the body: the dynamic provider serialises functions that call
 * this, and a `require` in a body is re-resolved from node_modules on the provider's side, not copied by value.
 * The credential caches and refreshes tokens itself, so asking per request is cheap.
 */
export function azureTokenSource(scope: string, env: NodeJS.ProcessEnv): () => Promise<string> {
  let credential: TokenCredentialLike | undefined;
  return async () => {
    credential ??= credentialFor(armCredentialChoice(env), env);
    const accessToken = await credential.getToken(scope);
    if (accessToken === null) throw new Error(`no Azure credential could produce a token for ${scope}`);
    return accessToken.token;
  };
}

function credentialFor(choice: ArmCredentialChoice, env: NodeJS.ProcessEnv): TokenCredentialLike {
  const identity = require("@azure/identity") as typeof import("@azure/identity");
  switch (choice.kind) {
    case "oidc":
      return new identity.ClientAssertionCredential(choice.tenantId, choice.clientId, () => readOidcAssertion(choice.assertion, env));
    case "clientSecret":
      return new identity.ClientSecretCredential(choice.tenantId, choice.clientId, env.ARM_CLIENT_SECRET ?? "");
    case "default":
      return new identity.DefaultAzureCredential();
  }
}

/** The client the dynamic provider uses: base URL and credential from the environment. */
export function armClientFromEnvironment(
  env: NodeJS.ProcessEnv,
  options: Omit<ArmClientOptions, "baseUrl" | "getToken"> = {},
): ArmClient {
  const baseUrl = armBaseUrlFromEnvironment(env);
  return new ArmClient({ ...options, baseUrl, getToken: azureTokenSource(armTokenScope(baseUrl), env) });
}
