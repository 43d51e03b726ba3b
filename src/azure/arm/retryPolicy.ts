/**
 * How long the ARM client waits before trying again. Pure: the clock and the random source are arguments,
 * so tests can assert exact waits without sleeping.
 */

export interface RetryPolicy {
  /** Attempts for one request when ARM answers 429/5xx or the network fails (the first try included). */
  maxAttempts: number;
  /** Extra attempts when ARM answers 409 because another operation on the resource is still running. */
  conflictAttempts: number;
  /** First backoff step; doubles on each retry. */
  baseDelayMs: number;
  /** Ceiling of one backoff step, and of any `Retry-After` ARM sends (so a broken header cannot park us for hours). */
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 6,
  conflictAttempts: 30,
  baseDelayMs: 2_000,
  maxDelayMs: 60_000,
};

/**
 * `Retry-After` as milliseconds: either delta-seconds ("7") or an HTTP date. Undefined when absent or
 * unreadable, so the caller falls back to its own backoff.
 */
export function parseRetryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so concurrent clients spread
 * out but nobody retries immediately. A `Retry-After` from ARM wins over the computed step (capped).
 * `retryIndex` is 0 for the first retry.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  retryIndex: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs);
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(retryIndex, 30));
  return Math.round(step / 2 + (step / 2) * random());
}

/** Statuses worth another try: throttling and server-side failures (ARM's own guidance). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/**
 * ARM answers 409 for two different things: a real conflict (e.g. RoleAssignmentExists), which retrying never
 * fixes, and "another operation is in progress on this resource", which clears by itself. Only the second is
 * retried. Resource providers word it differently, hence the code list plus a message check.
 */
export function isOperationInProgressConflict(code: string | undefined, message: string | undefined): boolean {
  const knownCodes = ["AnotherOperationInProgress", "OperationInProgress", "ResourceBusy", "ConflictingOperationInProgress"];
  if (code !== undefined && knownCodes.some((known) => known.toLowerCase() === code.toLowerCase())) return true;
  const text = message ?? "";
  return /operation[^.]*in progress|in progress[^.]*operation|is (currently )?being (updated|created|deleted|provisioned)/i.test(text);
}
