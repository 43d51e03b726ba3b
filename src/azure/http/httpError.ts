import { redactSecrets } from "../../core/redaction";

/**
 * A failed HTTP call after retries. Carries what the server said (status, error code, message from the body) and
 * how many attempts were made, never the request's headers: those hold API keys and bearer tokens.
 */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    /** HTTP status of the last attempt; 0 when no response arrived (network error, timeout). */
    readonly status: number,
    message: string,
    readonly attempts: number,
    /** Error code from the body (`error.code`), or "timeout" / "network" / "response_too_large" / "malformed_json" / "content_filter". */
    readonly code?: string,
  ) {
    // Servers echo requests in error bodies (a Bearer key, a ?code= in the URL): the message is what gets
    // recorded and printed, so it never carries a credential-shaped value.
    super(redactSecrets(message));
  }
}

/** A response body's error message, when it has the usual `{error: {message, code}}` or `{message}` shape. */
export function errorFromBody(body: unknown): { message?: string; code?: string } {
  if (typeof body !== "object" || body === null) return {};
  const record = body as Record<string, unknown>;
  const inner = typeof record.error === "object" && record.error !== null ? (record.error as Record<string, unknown>) : record;
  const message = typeof inner.message === "string" ? inner.message : typeof record.error === "string" ? record.error : undefined;
  const code = typeof inner.code === "string" || typeof inner.code === "number" ? String(inner.code) : undefined;
  return { message, code };
}

/** `https://host/path` without query or credentials: safe to show in messages. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return "<invalid url>";
  }
}
