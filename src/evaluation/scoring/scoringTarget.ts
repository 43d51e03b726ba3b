/**
 * A deployed flow as a LineExecutor: each line's inputs are POSTed as JSON to a scoring URL (a managed online
 * endpoint's `/score`, a Web App's `/score`, any URL speaking the same protocol) and the response JSON object is
 * the line's outputs. Retries, timeouts and backoff are the shared HTTP layer's (src/http), so evaluating a
 * deployment gets the same behaviour as every other call; the bulk runner (src/bulk) supplies concurrency and
 * resume.
 *
 * Auth: an endpoint key or an Entra ID token (scope https://ml.azure.com/.default), both sent as
 * `Authorization: Bearer`, or none (a Web App behind its own network rules). `deployment` pins one deployment of
 * an endpoint with the `azureml-model-deployment` header, bypassing the traffic split: that is how A/B
 * deployments are evaluated separately.
 */
import { fetchJson, HttpError, type HttpDependencies, type RetryOptions, systemClock } from "../../azure/http";
import { cachedTokenProvider, defaultCredential, type TokenCredentialLike, type TokenProvider } from "../../azure/entraAuth";
import type { LineError, LineExecutor, LineOutcome } from "../../runs/bulk/types";
import { redactSecrets } from "../../core/redaction";
import { UserError } from "../../core/userError";

export const azureMlScope = "https://ml.azure.com/.default";

export type ScoringAuth =
  | { kind: "none" }
  /** An endpoint key (primary or secondary). */
  | { kind: "key"; key: string }
  /** Entra ID; `credential` defaults to DefaultAzureCredential (az login, managed identity, workload identity). */
  | { kind: "entra"; credential?: TokenCredentialLike };

export interface ScoringTargetOptions {
  /** Short name for reports and messages, e.g. "ticket-ep:blue" or "webapp:ticket-app". */
  name: string;
  /** The full scoring URL, e.g. https://<endpoint>.<region>.inference.ml.azure.com/score. */
  url: string;
  auth: ScoringAuth;
  /** Pin this deployment of the endpoint (`azureml-model-deployment` header). */
  deployment?: string;
  /** Default: the shared layer's defaults with a 90 s per-attempt timeout (flows call LLMs; endpoints allow 3 min). */
  retry?: RetryOptions;
  http?: HttpDependencies;
}

/** Appends `/score` to a bare base URL (`https://app.azurewebsites.net`); a URL with a path is used as given. */
export function scoringUrl(base: string): string {
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    throw new UserError(`scoring URL '${base.replace(/\?.*$/, "")}' is not a valid URL`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new UserError(`scoring URL must be http(s), found ${parsed.protocol}`);
  }
  if (parsed.pathname === "" || parsed.pathname === "/") parsed.pathname = "/score";
  return parsed.toString();
}

/** Builds the per-attempt header function: a retried call after a long backoff picks up a refreshed token. */
export function scoringHeaders(options: ScoringTargetOptions): () => Promise<Record<string, string>> {
  let token: TokenProvider | undefined;
  if (options.auth.kind === "entra") {
    token = cachedTokenProvider(options.auth.credential ?? defaultCredential(), azureMlScope, options.http?.clock ?? systemClock);
  }
  const auth = options.auth;
  return async () => {
    const headers: Record<string, string> = { accept: "application/json" };
    if (auth.kind === "key") headers.authorization = `Bearer ${auth.key}`;
    if (token !== undefined) headers.authorization = `Bearer ${await token()}`;
    if (options.deployment !== undefined) headers["azureml-model-deployment"] = options.deployment;
    return headers;
  };
}

export const defaultScoringRetry: RetryOptions = { timeoutMs: 90_000 };

/** The target's own secrets: its key and the values of its URL's query (a Function's `?code=`). */
function targetSecrets(options: ScoringTargetOptions): string[] {
  const secrets = options.auth.kind === "key" ? [options.auth.key] : [];
  try {
    secrets.push(...[...new URL(options.url).searchParams.values()]);
  } catch {
    // scoringUrl validated it; nothing to add otherwise.
  }
  return secrets;
}

function lineError(err: unknown, options: ScoringTargetOptions): LineError {
  const message = (text: string): string => redactSecrets(text, targetSecrets(options));
  if (err instanceof HttpError) {
    const type = err.code === "timeout" ? "Timeout" : err.code === "malformed_json" ? "MalformedResponse" : "HttpError";
    return { type, message: message(err.message) };
  }
  if (err instanceof UserError) return { type: "UserError", message: message(err.message) };
  return { type: "Error", message: message(err instanceof Error ? err.message : String(err)) };
}

const noUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };

export type ScoreResult = { ok: true; status: number; body: Record<string, unknown> } | { ok: false; status: number; error: LineError };

/** One scoring call: never throws for HTTP, auth or body problems; aborts propagate. */
export async function score(options: ScoringTargetOptions, headers: () => Promise<Record<string, string>>, body: unknown, signal?: AbortSignal): Promise<ScoreResult> {
  try {
    const response = await fetchJson({ url: options.url, method: "POST", headers, body, signal }, { ...defaultScoringRetry, ...options.retry }, options.http);
    const parsed = response.body;
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      const found = parsed === null ? "an empty body" : Array.isArray(parsed) ? "a JSON array" : `a JSON ${typeof parsed}`;
      return {
        ok: false,
        status: response.status,
        error: { type: "MalformedResponse", message: `${options.name}: expected a JSON object of flow outputs, got ${found}` },
      };
    }
    return { ok: true, status: response.status, body: parsed as Record<string, unknown> };
  } catch (err) {
    if (signal?.aborted) throw err;
    return { ok: false, status: err instanceof HttpError ? err.status : 0, error: lineError(err, options) };
  }
}

export function createScoringTarget(options: ScoringTargetOptions): LineExecutor {
  const headers = scoringHeaders(options);
  return {
    async runLine(inputs, context): Promise<LineOutcome> {
      const result = await score(options, headers, inputs, context.signal);
      if (result.ok) return { status: "Completed", outputs: result.body, usage: noUsage };
      return { status: "Failed", outputs: {}, error: result.error, usage: noUsage };
    },
  };
}
