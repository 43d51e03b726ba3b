import { ArmClient, ArmClientOptions, publicArmBaseUrl } from "./armClient";

/**
 * Where the client talks to ARM. `LLMOPS_ARM_ENDPOINT` overrides the public cloud, e.g.
 * https://management.usgovcloudapi.net for Azure Government, or a local fake in tests.
 */
export const armEndpointVariable = "LLMOPS_ARM_ENDPOINT";

export function armBaseUrlFromEnvironment(env: NodeJS.ProcessEnv = process.env): string {
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

/**
 * A token source backed by `DefaultAzureCredential` (environment, workload identity/OIDC, managed identity, az
 * CLI, ...). Required lazily: the dynamic provider serialises functions that call this, and a `require` inside
 * the body is re-resolved from node_modules on the provider's side instead of being copied by value.
 * The credential caches and refreshes tokens itself, so asking per request is cheap.
 */
export function defaultAzureTokenSource(scope: string): () => Promise<string> {
  let credential: { getToken(scope: string): Promise<{ token: string } | null> } | undefined;
  return async () => {
    if (credential === undefined) {
      const identity = require("@azure/identity") as typeof import("@azure/identity");
      credential = new identity.DefaultAzureCredential();
    }
    const accessToken = await credential.getToken(scope);
    if (accessToken === null) throw new Error(`no Azure credential could produce a token for ${scope}`);
    return accessToken.token;
  };
}

/** The client the dynamic provider uses: base URL from the environment, token from DefaultAzureCredential. */
export function armClientFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  options: Omit<ArmClientOptions, "baseUrl" | "getToken"> = {},
): ArmClient {
  const baseUrl = armBaseUrlFromEnvironment(env);
  return new ArmClient({ ...options, baseUrl, getToken: defaultAzureTokenSource(armTokenScope(baseUrl)) });
}
