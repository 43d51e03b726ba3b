/**
 * JSON over HTTP with retries (node:http by default, or an injected fetch; see transport.ts): per-attempt timeout, retry on network errors, timeouts and
 * retryable statuses, waits as the server asks (Retry-After and Azure's ms headers) or exponential backoff with
 * full jitter, bounded by attempts and total wait. The one HTTP client of the project: LLM calls, scoring
 * endpoints and evaluations all go through it.
 */
import { systemClock, type Clock } from "../../core/clock";
import { HttpError, describeUrl, errorFromBody } from "./httpError";
import { isRetryableStatus, resolveRetryPolicy, retryDelayMs, serverRetryDelayMs, type RetryOptions } from "./retryPolicy";
import { defaultMaxResponseBytes, fetchTransport, nodeHttpTransport, ResponseTooLarge, type Transport } from "./transport";

export type HeaderSource = Record<string, string> | (() => Promise<Record<string, string>>);

export interface JsonRequest {
  url: string;
  method?: string;
  /** A function is called before every attempt, so a retried call picks up a refreshed bearer token. */
  headers?: HeaderSource;
  /** Serialised as JSON when present. */
  body?: unknown;
  signal?: AbortSignal;
  /** Every attempt, retries included, enters this first (a connection's rate limiter; see rateLimiter.ts). */
  gate?: AttemptGate;
  /** A longer response body fails the request (not retried). Default 16 MB. */
  maxResponseBytes?: number;
}

/** What an attempt reports when it leaves the gate. */
export interface AttemptEnd {
  /** The parsed body of a 2xx answer; for an event stream, its last JSON object event (where OpenAI puts usage). */
  body?: unknown;
  /** The server refused with 429 and asked to wait this long (or the backoff when it did not say). */
  throttledForMs?: number;
}

export interface AttemptGate {
  /** Waits for a slot for the next attempt. */
  enter(signal?: AbortSignal): Promise<AttemptSlot>;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON; null for an empty body. */
  body: unknown;
  attempts: number;
}

export interface RetryEvent {
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface HttpDependencies {
  /** Send through this fetch instead of node:http (see transport.ts). */
  fetch?: typeof fetch;
  clock?: Clock;
  random?: () => number;
  onRetry?: (event: RetryEvent) => void;
}

/** One attempt as the retry loop sees it: a 2xx answer (its body as the caller reads it), another status, or no answer. */
export type AttemptResult<T> =
  | { kind: "success"; status: number; headers: Headers; value: T }
  | { kind: "response"; status: number; statusText: string; headers: Headers; text: string }
  | { kind: "failure"; code: "timeout" | "network" | "response_too_large"; message: string };

/** What one attempt sends: the request's headers (fresh per attempt) and serialised body. */
export interface AttemptRequest {
  method: string;
  headers: Record<string, string>;
  payload: string | undefined;
}

export interface AttemptSlot {
  leave(end: AttemptEnd): void;
}

/** How a caller of sendWithRetries makes one attempt and what it returns for a 2xx answer. */
export interface AttemptStrategy<T, R> {
  attempt(request: AttemptRequest, timeoutMs: number): Promise<AttemptResult<T>>;
  /** The result for a 2xx answer; owns the attempt's slot from here (leaves it now or when its body ends). */
  accept(success: Extract<AttemptResult<T>, { kind: "success" }>, slot: AttemptSlot | undefined, attempts: number, target: () => string): R;
}

function plural(count: number): string {
  return `${count} attempt${count === 1 ? "" : "s"}`;
}

export async function fetchJson(request: JsonRequest, retry: RetryOptions = {}, deps: HttpDependencies = {}): Promise<JsonResponse> {
  const transport = deps.fetch ? fetchTransport(deps.fetch) : nodeHttpTransport;
  return sendWithRetries<string, JsonResponse>(request, retry, deps, {
    attempt: (sent, timeoutMs) => attemptOnce(transport, request, sent, timeoutMs),
    accept: (success, slot, attempts, target) => {
      let body: unknown;
      try {
        body = parseBody(success.value, target, success.status, attempts);
      } finally {
        slot?.leave({ body });
      }
      return { status: success.status, headers: success.headers, body, attempts };
    },
  });
}

/**
 * The retry loop every HTTP call of the project shares (JSON answers here, event streams in eventStream.ts):
 * the gate before each attempt, 429s through the gate, retryable statuses and failures with the server's wait or
 * backoff, bounded by attempts and total wait.
 */
export async function sendWithRetries<T, R>(request: JsonRequest, retry: RetryOptions, deps: HttpDependencies, strategy: AttemptStrategy<T, R>): Promise<R> {
  const options = resolveRetryPolicy(retry);
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const method = request.method ?? (request.body === undefined ? "GET" : "POST");
  // Only errors need the description; parsing the URL for every successful call is measurable in bulk runs.
  const target = (): string => `${method} ${describeUrl(request.url)}`;
  const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
  let waitedMs = 0;

  let throttledAttempts = 0;
  for (let attempt = 1; ; attempt++) {
    request.signal?.throwIfAborted();
    const slot = await request.gate?.enter(request.signal);
    let result: AttemptResult<T>;
    try {
      // Header errors (no key configured, no Entra token) are the caller's, not the network's: not retried.
      const headers = typeof request.headers === "function" ? await request.headers() : { ...request.headers };
      if (payload !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === "content-type")) {
        headers["content-type"] = "application/json";
      }
      result = await strategy.attempt({ method, headers, payload }, options.timeoutMs);
    } catch (err) {
      slot?.leave({});
      throw err;
    }

    let failure: HttpError;
    let serverDelay: number | undefined;
    if (result.kind === "failure") {
      slot?.leave({});
      failure = new HttpError(0, `${target()} ${result.message} (${plural(attempt)})`, attempt, result.code);
      // The same request would bring the same oversized answer again.
      if (result.code === "response_too_large") throw failure;
    } else if (result.kind === "success") {
      return strategy.accept(result, slot, attempt, target);
    } else {
      const parsed = tryParse(result.text);
      const fromBody = errorFromBody(parsed.ok ? parsed.value : undefined);
      const detail = fromBody.message ?? (result.text.trim().slice(0, 200) || result.statusText || "no message");
      failure = new HttpError(result.status, `${target()} failed with HTTP ${result.status} (${plural(attempt)}): ${detail}`, attempt, fromBody.code);
      serverDelay = serverRetryDelayMs(result.headers, clock.now());
      if (result.status === 429 && slot && isRetryableStatus(options, 429)) {
        // The gate pauses the whole connection for the wait and sends this request first when it ends: the wait is
        // the connection's, not this request's, so it counts against throttledAttempts, not maxAttempts.
        slot.leave({ throttledForMs: retryDelayMs(options, throttledAttempts, serverDelay, random) });
        throttledAttempts++;
        if (throttledAttempts < options.maxThrottledAttempts) {
          deps.onRetry?.({ attempt, delayMs: 0, reason: failure.message });
          continue;
        }
        throw failure;
      }
      slot?.leave({});
      if (!isRetryableStatus(options, result.status)) throw failure;
    }

    const failures = attempt - throttledAttempts;
    if (failures >= options.maxAttempts) throw failure;
    const delayMs = retryDelayMs(options, failures - 1, serverDelay, random);
    if (waitedMs + delayMs > options.maxTotalWaitMs) {
      throw new HttpError(
        failure.status,
        `${failure.message}; giving up: waiting ${delayMs} ms more would exceed the ${options.maxTotalWaitMs} ms retry budget`,
        attempt,
        failure.code,
      );
    }
    deps.onRetry?.({ attempt, delayMs, reason: failure.message });
    await clock.sleep(delayMs, request.signal);
    waitedMs += delayMs;
  }
}

/**
 * The attempt's own controller, aborted by its timer or by the request's signal. One per attempt, its timer
 * cleared when the attempt ends: AbortSignal.timeout/any would keep a pending timer (and the signal) alive for the
 * full timeout after every call, thousands of them in a bulk run.
 */
export class AttemptAbort {
  readonly controller = new AbortController();
  timedOut = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly forwardAbort = (): void => this.controller.abort(this.outer?.reason);

  constructor(
    private readonly outer: AbortSignal | undefined,
    readonly timeoutMs: number,
  ) {
    this.restart();
    outer?.addEventListener("abort", this.forwardAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The timeout counts again from now (a stream that keeps sending is not timed out). */
  restart(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new Error(`timed out after ${this.timeoutMs} ms`));
    }, this.timeoutMs);
  }

  release(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener("abort", this.forwardAbort);
  }

  /** Why a transport call failed: the caller's abort is rethrown, a timeout or network error becomes a failure. */
  failure(err: unknown): Extract<AttemptResult<never>, { kind: "failure" }> {
    if (this.outer?.aborted) throw this.outer.reason;
    if (err instanceof ResponseTooLarge) return { kind: "failure", code: "response_too_large", message: err.message };
    if (this.timedOut) return { kind: "failure", code: "timeout", message: `timed out after ${this.timeoutMs} ms` };
    return { kind: "failure", code: "network", message: `network error: ${networkMessage(err)}` };
  }
}

async function attemptOnce(transport: Transport, request: JsonRequest, sent: AttemptRequest, timeoutMs: number): Promise<AttemptResult<string>> {
  const attempt = new AttemptAbort(request.signal, timeoutMs);
  try {
    // The body read stays under the same signal: a server that stalls mid-body times out like one that never answers.
    const response = await transport(request.url, { method: sent.method, headers: sent.headers, body: sent.payload, signal: attempt.signal, maxBodyBytes: request.maxResponseBytes ?? defaultMaxResponseBytes });
    if (response.status >= 200 && response.status < 300) return { kind: "success", status: response.status, headers: response.headers, value: response.text };
    return { kind: "response", ...response };
  } catch (err) {
    return attempt.failure(err);
  } finally {
    attempt.release();
  }
}

export function networkMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return `${err.message}${cause}`;
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (text.trim() === "") return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

function parseBody(text: string, target: () => string, status: number, attempts: number): unknown {
  const parsed = tryParse(text);
  if (parsed.ok) return parsed.value;
  const preview = text.length > 80 ? `${text.slice(0, 80)}...` : text;
  throw new HttpError(
    status,
    `${target()} returned HTTP ${status} with a body that is not valid JSON (${parsed.error}); body starts: ${JSON.stringify(preview)}`,
    attempts,
    "malformed_json",
  );
}
