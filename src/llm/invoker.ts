/**
 * The LlmInvoker the flow engine and the LLM judge use: maps a request to Azure OpenAI or an OpenAI-compatible
 * server, waits for the connection's rate limits, retries through the shared HTTP layer and returns the text of
 * the first choice with its usage.
 */
import { systemClock } from "../core/clock";
import { fetchJson, type AttemptGate, type HttpDependencies, type JsonRequest } from "../azure/http/fetchJson";
import { fetchEventStream } from "../azure/http/eventStream";
import { HttpError } from "../azure/http/httpError";
import { defaultMaxResponseBytes } from "../azure/http/transport";
import { RateLimiter, type RateLimits } from "../azure/http/rateLimiter";
import type { RetryOptions } from "../azure/http/retryPolicy";
import { authHeaders, cachedTokenProvider, cognitiveServicesScope, defaultCredential, type TokenCredentialLike, type TokenProvider } from "../azure/entraAuth";
import { llmHttpRequest } from "./httpRequest";
import { contentFilterWithheld, llmResultFrom, usageFrom } from "./llmResponse";
import { readStreamChunk, streamingBody } from "./streamResponse";
import { estimateTokens, estimateUsage } from "./tokenEstimate";
import type { LlmInvoker, LlmRequest, TokenUsage } from "./types";

export interface LlmInvokerOptions {
  retry?: RetryOptions;
  /**
   * Rate limits by connection name, overriding the connection's own `rateLimits`. Quotas belong to a deployment
   * (Azure) or a model (OpenAI), so each (connection, model) pair gets its own limiter with these limits.
   */
  limits?: Record<string, RateLimits>;
  /** Limits for connections with none of their own and not named in `limits`; none by default. */
  defaultLimits?: RateLimits;
  /** Entra ID credential for `meid_token` connections; default DefaultAzureCredential, created on first use. */
  credential?: () => TokenCredentialLike;
  /** A longer response fails its line (default 16 MB, see transport.ts). */
  maxResponseBytes?: number;
  /** fetch / clock / random injection for tests; onRetry to observe retries. */
  http?: HttpDependencies;
}

export function createLlmInvoker(options: LlmInvokerOptions = {}): LlmInvoker {
  const clock = options.http?.clock ?? systemClock;
  const limiters = new Map<string, RateLimiter>();
  let tokenProvider: TokenProvider | undefined;
  const entraToken = (): TokenProvider =>
    (tokenProvider ??= cachedTokenProvider((options.credential ?? defaultCredential)(), cognitiveServicesScope, clock));

  // Every (connection, model) pair gets a limiter, configured or not: it honours 429s for the whole connection and
  // adapts its concurrency (AIMD), so a user who does not know the quota still gets it; configured limits add a ceiling.
  const limiterFor = (request: LlmRequest): RateLimiter => {
    const key = `${request.connection.name}\u0000${request.model}`;
    let limiter = limiters.get(key);
    if (!limiter) {
      const own = request.connection.type === "custom" ? undefined : request.connection.rateLimits;
      limiter = new RateLimiter(options.limits?.[request.connection.name] ?? own ?? options.defaultLimits ?? {}, clock);
      limiters.set(key, limiter);
    }
    return limiter;
  };

  const httpRequest = (request: LlmRequest, body: Record<string, unknown>, url: string, signal: AbortSignal | undefined): JsonRequest => ({
    url,
    method: "POST",
    body,
    signal,
    headers: () => authHeaders(request.connection, entraToken, signal),
    gate: attemptGate(limiterFor(request), estimateTokens(request)),
    ...(options.maxResponseBytes !== undefined ? { maxResponseBytes: options.maxResponseBytes } : {}),
  });

  return {
    async invoke(request, signal) {
      const { url, body } = llmHttpRequest(request);
      const response = await fetchJson(httpRequest(request, body, url, signal), options.retry, options.http);
      return llmResultFrom(response.body, request.api, response.status, response.attempts);
    },

    async stream(request, onText, signal) {
      const { url, body } = llmHttpRequest(request);
      const response = await fetchEventStream(httpRequest(request, streamingBody(request, body), url, signal), options.retry, options.http);
      const maxChars = options.maxResponseBytes ?? defaultMaxResponseBytes;
      let text = "";
      let finishReason: string | undefined;
      let usage: TokenUsage | undefined;
      for await (const data of response.events) {
        const chunk = readStreamChunk(data, request.api, response.status, response.attempts);
        if (chunk.usage) usage = chunk.usage;
        if (chunk.finishReason !== undefined) finishReason = chunk.finishReason;
        if (chunk.text === "") continue;
        text += chunk.text;
        if (text.length > maxChars) throw new HttpError(response.status, `the model's streamed answer exceeds ${Math.round(maxChars / (1024 * 1024))} MB (the limit for one response)`, response.attempts, "response_too_large");
        onText(chunk.text);
      }
      if (finishReason === "content_filter" && text === "") throw contentFilterWithheld(response.status, response.attempts);
      return { text, usage: usage ?? estimateUsage(request, text), ...(finishReason !== undefined ? { finishReason } : {}) };
    },
  };
}

/**
 * Each attempt of one call through the connection's limiter, keeping the call's place in the queue across
 * retries. A refused attempt (429) used no tokens; an answered one used what its usage says (the estimate when
 * the server does not say); a failed one is charged the estimate, since the server may have spent it.
 */
function attemptGate(limiter: RateLimiter, estimate: number): AttemptGate {
  let ticket: number | undefined;
  return {
    async enter(signal) {
      const reservation = await limiter.acquire(estimate, signal, ticket);
      ticket = reservation.ticket;
      return {
        leave: (end) => {
          if (end.throttledForMs !== undefined) reservation.settle(0, end.throttledForMs);
          else reservation.settle(end.body === undefined ? estimate : usageFrom(end.body).totalTokens || estimate);
        },
      };
    },
  };
}
