import { UserError } from "../core/userError";
import { armBaseUrlFromEnvironment, armTokenScope, azureTokenSource } from "./arm/armToken";

/**
 * Keyless ("entra") login to Azure Container Registry, as `az acr login --expose-token` does it: an Entra ID
 * access token for ARM is exchanged at the registry's `/oauth2/exchange` for an ACR refresh token, and Docker logs
 * in with the fixed username below and that refresh token as password. No admin user is needed, so it works on
 * registries whose admin user is disabled; what the identity may do is decided by its roles (AcrPush to push).
 */

/** The username ACR expects with a refresh token (any other is refused). */
export const acrRefreshTokenUsername = "00000000-0000-0000-0000-000000000000";

/** The refresh token Docker logs in with, for the registry at `loginServer` (e.g. `myreg.azurecr.io`). */
export type RegistryTokenSource = (loginServer: string) => Promise<string>;

/** Raised when the registry refuses the exchange: a role or configuration the user can fix. */
export class RegistryLoginError extends UserError {
  override readonly name = "RegistryLoginError";
}

export interface RegistryTokenExchange {
  loginServer: string;
  /** An Entra ID access token for ARM (scope `https://management.azure.com/.default` in the public cloud). */
  accessToken: string;
  /** Where `/oauth2/exchange` is served; default `https://<loginServer>` (tests use a local server). */
  registryUrl?: string;
  fetchFn?: typeof fetch;
  timeoutMs?: number;
}

/**
 * The `tid` (tenant ID) claim of a JWT access token, undefined when the token is not a JWT or has none.
 * The signature is not checked: the token comes from our own credential, and only the registry validates it.
 */
export function tenantOfAccessToken(accessToken: string): string | undefined {
  const parts = accessToken.split(".");
  if (parts.length !== 3) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof claims !== "object" || claims === null) return undefined;
  const tid = (claims as Record<string, unknown>).tid;
  return typeof tid === "string" && tid !== "" ? tid : undefined;
}

/**
 * The form `/oauth2/exchange` takes. The tenant is the access token's own `tid` claim: it is the tenant that
 * issued the token, so it matches whichever credential produced it (OIDC in CI, a service principal, the az
 * CLI, a managed identity), needs no setting, and cannot disagree with the token the way a configured tenant
 * (keyVault.tenantId, ARM_TENANT_ID) could. A token without one is sent without `tenant`, which the API allows.
 */
export function exchangeForm(loginServer: string, accessToken: string): URLSearchParams {
  const form = new URLSearchParams({ grant_type: "access_token", service: loginServer });
  const tenant = tenantOfAccessToken(accessToken);
  if (tenant !== undefined) form.set("tenant", tenant);
  form.set("access_token", accessToken);
  return form;
}

/** Trades an Entra ID access token for an ACR refresh token. Error messages never contain either token. */
export async function exchangeForRegistryToken(request: RegistryTokenExchange): Promise<string> {
  const base = request.registryUrl ?? `https://${request.loginServer}`;
  const url = new URL("/oauth2/exchange", base);
  const fetchFn = request.fetchFn ?? fetch;
  let response: Response;
  try {
    response = await fetchFn(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: exchangeForm(request.loginServer, request.accessToken).toString(),
      signal: AbortSignal.timeout(request.timeoutMs ?? 30_000),
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`container registry ${request.loginServer}: the token exchange at ${url.origin} could not be reached (${reason})`);
  }
  const text = await response.text();
  if (response.status === 401 || response.status === 403) {
    throw new RegistryLoginError(
      `container registry ${request.loginServer} refused the Entra ID login (HTTP ${response.status}${errorCodes(text)}): ` +
        `the identity running Pulumi needs the AcrPush role on the registry, and the registry must accept Entra ID ` +
        `tokens for ARM (azureADAuthenticationAsArmPolicy enabled); or set llmops:containerRegistry.login to "adminUser"`,
    );
  }
  if (!response.ok) {
    throw new Error(`container registry ${request.loginServer}: the token exchange answered HTTP ${response.status}${errorCodes(text)}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`container registry ${request.loginServer}: the token exchange answered HTTP ${response.status} with a body that is not JSON`);
  }
  const refreshToken = typeof body === "object" && body !== null ? (body as Record<string, unknown>).refresh_token : undefined;
  if (typeof refreshToken !== "string" || refreshToken === "") {
    throw new Error(`container registry ${request.loginServer}: the token exchange answered without a refresh_token`);
  }
  return refreshToken;
}

/**
 * ACR's error codes (e.g. UNAUTHORIZED) from a `{"errors":[{"code":...}]}` body. Only the codes are shown:
 * the messages are the registry's free text, and nothing of the request may leak into a log.
 */
function errorCodes(text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return "";
  }
  const errors = typeof body === "object" && body !== null ? (body as Record<string, unknown>).errors : undefined;
  if (!Array.isArray(errors)) return "";
  const codes = errors.flatMap((e: unknown) => {
    const code = typeof e === "object" && e !== null ? (e as Record<string, unknown>).code : undefined;
    return typeof code === "string" && /^[A-Z_]{1,64}$/.test(code) ? [code] : [];
  });
  return codes.length === 0 ? "" : `, ${codes.join(", ")}`;
}

export type EntraRegistryTokenOptions = {
  /** Where the registry is served, by login server; default `https://<loginServer>`. */
  registryUrl?: (loginServer: string) => string;
  fetchFn?: typeof fetch;
} & (
  | {
      /** The Entra ID access token, injected. */
      getAccessToken: () => Promise<string>;
    }
  | {
      /**
       * The environment of `pulumi up` (src/index.ts passes its own): the Entra ID token comes from H3's ARM token
       * source over it (ARM_* service principal or OIDC, else DefaultAzureCredential).
       */
      env: NodeJS.ProcessEnv;
    }
);

/** The token source `pulumi up` uses: the same credential as the ARM client, so CI's OIDC login works here too. */
export function entraRegistryTokenSource(options: EntraRegistryTokenOptions): RegistryTokenSource {
  const getAccessToken = "getAccessToken" in options ? options.getAccessToken : tokenSourceOnFirstUse(options.env);
  return async (loginServer) =>
    exchangeForRegistryToken({
      loginServer,
      accessToken: await getAccessToken(),
      ...(options.registryUrl !== undefined ? { registryUrl: options.registryUrl(loginServer) } : {}),
      ...(options.fetchFn !== undefined ? { fetchFn: options.fetchFn } : {}),
    });
}

/** The ARM token source over `env`, built on first use: an "adminUser" registry login never reads LLMOPS_ARM_ENDPOINT. */
function tokenSourceOnFirstUse(env: NodeJS.ProcessEnv): () => Promise<string> {
  let source: (() => Promise<string>) | undefined;
  return () => (source ??= azureTokenSource(armTokenScope(armBaseUrlFromEnvironment(env)), env))();
}
