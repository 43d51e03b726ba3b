import { readFile } from "node:fs/promises";

/**
 * Which Azure credential the ARM client uses. Pulumi's azure-native provider is configured with `ARM_*`
 * variables (ARM_USE_OIDC, ARM_CLIENT_ID, ARM_TENANT_ID, ARM_CLIENT_SECRET); DefaultAzureCredential reads
 * `AZURE_*` ones. A CI job set up for azure-native alone would leave our provider without a login, so the same
 * `ARM_*` variables are honoured first, then DefaultAzureCredential (AZURE_* variables, workload or managed
 * identity, az CLI, ...).
 */
export type ArmCredentialChoice =
  | { kind: "oidc"; tenantId: string; clientId: string; assertion: OidcAssertionSource }
  | { kind: "clientSecret"; tenantId: string; clientId: string }
  | { kind: "default" };

/** Where the federated (OIDC) token comes from, in azure-native's (and Terraform azurerm's) order. */
export type OidcAssertionSource =
  | { kind: "variable"; name: "ARM_OIDC_TOKEN" }
  | { kind: "file"; path: string }
  /** GitHub Actions: ask the runner's token service (needs `permissions: id-token: write`). */
  | { kind: "request"; url: string; bearerVariable: "ARM_OIDC_REQUEST_TOKEN" | "ACTIONS_ID_TOKEN_REQUEST_TOKEN" };

/** Audience Azure expects on federated tokens. */
export const azureTokenExchangeAudience = "api://AzureADTokenExchange";

export function armCredentialChoice(env: NodeJS.ProcessEnv): ArmCredentialChoice {
  const clientId = env.ARM_CLIENT_ID?.trim();
  const tenantId = env.ARM_TENANT_ID?.trim();
  if (!clientId || !tenantId) return { kind: "default" };
  if (env.ARM_USE_OIDC?.trim().toLowerCase() === "true") {
    const assertion = oidcAssertionSource(env);
    if (assertion !== undefined) return { kind: "oidc", tenantId, clientId, assertion };
  }
  if (env.ARM_CLIENT_SECRET) return { kind: "clientSecret", tenantId, clientId };
  return { kind: "default" };
}

function oidcAssertionSource(env: NodeJS.ProcessEnv): OidcAssertionSource | undefined {
  if (env.ARM_OIDC_TOKEN) return { kind: "variable", name: "ARM_OIDC_TOKEN" };
  if (env.ARM_OIDC_TOKEN_FILE_PATH) return { kind: "file", path: env.ARM_OIDC_TOKEN_FILE_PATH };
  if (env.ARM_OIDC_REQUEST_URL && env.ARM_OIDC_REQUEST_TOKEN) {
    return { kind: "request", url: env.ARM_OIDC_REQUEST_URL, bearerVariable: "ARM_OIDC_REQUEST_TOKEN" };
  }
  if (env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    return { kind: "request", url: env.ACTIONS_ID_TOKEN_REQUEST_URL, bearerVariable: "ACTIONS_ID_TOKEN_REQUEST_TOKEN" };
  }
  return undefined;
}

/** The federated token itself; read fresh on every call because GitHub's expire within minutes. */
export async function readOidcAssertion(
  source: OidcAssertionSource,
  env: NodeJS.ProcessEnv,
  fetchFn: typeof fetch = fetch,
): Promise<string> {
  if (source.kind === "variable") return env[source.name] ?? "";
  if (source.kind === "file") return (await readFile(source.path, "utf8")).trim();
  const url = new URL(source.url);
  url.searchParams.set("audience", azureTokenExchangeAudience);
  const response = await fetchFn(url, {
    headers: { authorization: `bearer ${env[source.bearerVariable] ?? ""}`, accept: "application/json" },
    signal: AbortSignal.timeout(30_000),
  });
  const body: unknown = await response.json().catch(() => undefined);
  const value = typeof body === "object" && body !== null ? (body as Record<string, unknown>).value : undefined;
  if (!response.ok || typeof value !== "string" || value === "") {
    throw new Error(`the OIDC token service at ${url.origin} answered HTTP ${response.status} without a token`);
  }
  return value;
}
