/**
 * When to retry and how long to wait: pure functions of the attempt number, the response headers and a random
 * number, so the policy is tested without a network or a clock.
 */

export interface RetryOptions {
  /** Attempts including the first. Default 6. */
  maxAttempts?: number;
  /** Per-attempt timeout covering the response body too. Default 60 000 ms. */
  timeoutMs?: number;
  /** First backoff ceiling; doubles each attempt (full jitter picks uniformly below it). Default 500 ms. */
  baseDelayMs?: number;
  /** Ceiling of one backoff wait. Default 30 000 ms. */
  maxDelayMs?: number;
  /** Give up rather than wait longer than this in total across retries. Default 120 000 ms. */
  maxTotalWaitMs?: number;
  /** Statuses worth retrying. Default 408, 429, 500, 502, 503, 504. */
  retryStatuses?: readonly number[];
}

export type ResolvedRetryOptions = Required<RetryOptions>;

export const defaultRetryOptions: ResolvedRetryOptions = {
  maxAttempts: 6,
  timeoutMs: 60_000,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxTotalWaitMs: 120_000,
  retryStatuses: [408, 429, 500, 502, 503, 504],
};

export function resolveRetryOptions(options: RetryOptions = {}): ResolvedRetryOptions {
  const resolved = { ...defaultRetryOptions };
  for (const [key, value] of Object.entries(options) as [keyof RetryOptions, unknown][]) {
    if (value !== undefined) Object.assign(resolved, { [key]: value });
  }
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new RangeError(`retry maxAttempts must be an integer >= 1, got ${resolved.maxAttempts}`);
  }
  return resolved;
}

/** Exponential backoff with full jitter: uniform in [0, min(maxDelay, base * 2^(retry-1))). */
export function backoffDelayMs(retry: number, options: ResolvedRetryOptions, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * The wait the server asked for, in ms: `retry-after-ms` / `x-ms-retry-after-ms` (Azure OpenAI) first, then
 * `Retry-After` as seconds or an HTTP date. Undefined when absent or unparseable.
 */
export function serverRetryDelayMs(headers: Headers, now: number): number | undefined {
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const value = headers.get(name);
    if (value !== null && value.trim() !== "") {
      const ms = Number(value);
      if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
    }
  }
  const retryAfter = headers.get("retry-after");
  if (retryAfter === null || retryAfter.trim() === "") return undefined;
  const seconds = Number(retryAfter);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
  const date = Date.parse(retryAfter);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
