/**
 * The one retry policy of the project: the LLM client, the scoring client and the ARM client all decide when to
 * retry and how long to wait here. Three named strategies:
 *  - which statuses: `retryStatuses` (throttling, timeouts and transient server errors);
 *  - Retry-After: the wait the server asks for (`retry-after-ms`, `x-ms-retry-after-ms`, `Retry-After` as seconds
 *    or an HTTP date) wins, capped at `maxDelayMs` so a broken header cannot park a run for hours;
 *  - exponential with jitter: otherwise `baseDelayMs * 2^retry`, capped at `maxDelayMs`, with "equal jitter"
 *    (half fixed, half random) so concurrent clients spread out but nobody retries immediately.
 * Pure functions of the attempt number, the headers, the time and a random number: tested without a network or a
 * clock. Kept free of imports because the EndpointTraffic dynamic provider serialises the ARM client with it.
 */

export interface RetryPolicy {
  /** Attempts including the first. */
  maxAttempts: number;
  /** Per-attempt timeout covering the response body too. */
  timeoutMs: number;
  /** First backoff step; doubles each retry. */
  baseDelayMs: number;
  /** Ceiling of one wait, computed or asked for by the server. */
  maxDelayMs: number;
  /** Give up rather than wait longer than this in total across one request's retries. */
  maxTotalWaitMs: number;
  /** Statuses worth another try. */
  retryStatuses: readonly number[];
  /**
   * 429s a request may meet when its connection's rate limiter honours them (pausing every request and sending the
   * refused one first when the pause ends). They count here instead of in maxAttempts: under a quota, being told
   * to wait is the normal case, not a failure of the request.
   */
  maxThrottledAttempts: number;
}

export type RetryOptions = Partial<RetryPolicy>;

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 6,
  timeoutMs: 60_000,
  baseDelayMs: 500,
  // Azure OpenAI quotas reset on a one-minute window: a Retry-After of up to 60 s is honest and honoured.
  maxDelayMs: 60_000,
  maxTotalWaitMs: 180_000,
  retryStatuses: [408, 429, 500, 502, 503, 504],
  maxThrottledAttempts: 30,
};

/** ARM: slower steps (ARM's own guidance), longer requests and long waits for in-progress operations. */
export const armRetryPolicy: RetryPolicy = {
  ...defaultRetryPolicy,
  baseDelayMs: 2_000,
  timeoutMs: 120_000,
  maxTotalWaitMs: 15 * 60_000,
};

export function resolveRetryPolicy(options: RetryOptions = {}, base: RetryPolicy = defaultRetryPolicy): RetryPolicy {
  const resolved: RetryPolicy = { ...base };
  for (const [key, value] of Object.entries(options) as [keyof RetryPolicy, unknown][]) {
    if (value !== undefined) Object.assign(resolved, { [key]: value });
  }
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new RangeError(`retry maxAttempts must be an integer >= 1, got ${resolved.maxAttempts}`);
  }
  return resolved;
}

export function isRetryableStatus(policy: RetryPolicy, status: number): boolean {
  return policy.retryStatuses.includes(status);
}

/** Exponential backoff with equal jitter: in [step/2, step], step = min(maxDelay, base * 2^retryIndex). */
export function backoffDelayMs(policy: RetryPolicy, retryIndex: number, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(Math.max(0, retryIndex), 30));
  return Math.round(step / 2 + (step / 2) * random());
}

/** The wait before retry number `retryIndex` (0 for the first): the server's wish when it stated one, else backoff. */
export function retryDelayMs(policy: RetryPolicy, retryIndex: number, serverDelayMs: number | undefined, random: () => number): number {
  if (serverDelayMs !== undefined) return Math.min(serverDelayMs, policy.maxDelayMs);
  return backoffDelayMs(policy, retryIndex, random);
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
  const retryAfter = headers.get("retry-after")?.trim();
  if (retryAfter === undefined || retryAfter === "") return undefined;
  const seconds = Number(retryAfter);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
  const date = Date.parse(retryAfter);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
