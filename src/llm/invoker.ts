/**
 * The LlmInvoker the flow engine and the LLM judge use: maps a request to Azure OpenAI or an OpenAI-compatible
 * server, waits for the connection's rate limits, retries through the shared HTTP layer and returns the text of
 * the first choice with its usage.
 */
import { systemClock } from "../core/clock";
import { fetchJson, type HttpDependencies } from "../azure/http/fetchJson";
import { RateLimiter, type RateLimits } from "../azure/http/rateLimiter";
import type { RetryOptions } from "../azure/http/retryPolicy";
import { authHeaders, cachedTokenProvider, cognitiveServicesScope, defaultCredential, type TokenCredentialLike, type TokenProvider } from "../azure/entraAuth";
import { llmHttpRequest } from "./httpRequest";
import { llmResultFrom } from "./llmResponse";
import { estimateTokens } from "./tokenEstimate";
import type { LlmInvoker, LlmRequest, LlmResult } from "./types";

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
  /** fetch / clock / random injection for tests; onRetry to observe retries. */
  http?: HttpDependencies;
}

export function createLlmInvoker(options: LlmInvokerOptions = {}): LlmInvoker {
  const clock = options.http?.clock ?? systemClock;
  const limiters = new Map<string, RateLimiter | undefined>();
  let tokenProvider: TokenProvider | undefined;
  const entraToken = (): TokenProvider =>
    (tokenProvider ??= cachedTokenProvider((options.credential ?? defaultCredential)(), cognitiveServicesScope, clock));

  const limiterFor = (request: LlmRequest): RateLimiter | undefined => {
    const key = `${request.connection.name}\u0000${request.model}`;
    if (!limiters.has(key)) {
      const own = request.connection.type === "custom" ? undefined : request.connection.rateLimits;
      const limits = options.limits?.[request.connection.name] ?? own ?? options.defaultLimits;
      limiters.set(key, limits && (limits.requestsPerMinute || limits.tokensPerMinute) ? new RateLimiter(limits, clock) : undefined);
    }
    return limiters.get(key);
  };

  return {
    async invoke(request: LlmRequest, signal?: AbortSignal): Promise<LlmResult> {
      const { url, body } = llmHttpRequest(request);
      const estimate = estimateTokens(request);
      const reservation = await limiterFor(request)?.acquire(estimate, signal);
      let usedTokens = estimate;
      try {
        const response = await fetchJson(
          { url, method: "POST", body, signal, headers: () => authHeaders(request.connection, entraToken, signal) },
          options.retry,
          options.http,
        );
        const result = llmResultFrom(response.body, request.api, response.status, response.attempts);
        usedTokens = result.usage.totalTokens || estimate;
        return result;
      } finally {
        reservation?.settle(usedTokens);
      }
    },
  };
}
