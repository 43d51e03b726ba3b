/**
 * Auth headers per connection. Keys go in headers only (never URLs, logs or errors). Entra ID tokens come from
 * an @azure/identity credential, cached until shortly before they expire and fetched once for concurrent callers.
 */
import type { Clock } from "../core/clock";
import { UserError } from "../core/userError";
import type { Connection } from "../llm/types";

export const cognitiveServicesScope = "https://cognitiveservices.azure.com/.default";

/** The part of @azure/identity's TokenCredential this module uses (DefaultAzureCredential satisfies it). */
export interface TokenCredentialLike {
  getToken(scopes: string | string[], options?: { abortSignal?: AbortSignal }): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

export type TokenProvider = (signal?: AbortSignal) => Promise<string>;

/** Refresh this long before expiry so a token never expires between the check and the request. */
const refreshMarginMs = 5 * 60_000;

export function cachedTokenProvider(credential: TokenCredentialLike, scope: string, clock: Clock): TokenProvider {
  let cached: { token: string; expiresOnTimestamp: number } | undefined;
  let pending: Promise<string> | undefined;
  return async (signal) => {
    if (cached && cached.expiresOnTimestamp - refreshMarginMs > clock.now()) return cached.token;
    pending ??= (async () => {
      try {
        const token = await credential.getToken(scope, { abortSignal: signal });
        if (!token) throw new UserError(`Entra ID returned no token for scope ${scope}; sign in with 'az login' or configure a managed identity`);
        cached = token;
        return token.token;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };
}

/** DefaultAzureCredential, loaded only when a connection uses Entra ID so key-only runs skip the import. */
export function defaultCredential(): TokenCredentialLike {
  const identity = require("@azure/identity") as typeof import("@azure/identity");
  return new identity.DefaultAzureCredential();
}

export async function authHeaders(connection: Connection, entraToken: () => TokenProvider, signal?: AbortSignal): Promise<Record<string, string>> {
  switch (connection.type) {
    case "azure_open_ai":
      if (connection.authMode === "meid_token") return { authorization: `Bearer ${await entraToken()(signal)}` };
      if (!connection.apiKey) {
        throw new UserError(`connection '${connection.name}' uses auth_mode key but has no api_key; set it or use auth_mode meid_token`);
      }
      return { "api-key": connection.apiKey };
    case "open_ai": {
      const headers: Record<string, string> = {};
      // Local OpenAI-compatible servers (Ollama, vLLM) often need no key at all.
      if (connection.apiKey) headers.authorization = `Bearer ${connection.apiKey}`;
      if (connection.organization) headers["openai-organization"] = connection.organization;
      return headers;
    }
    case "custom":
      return {};
  }
}
