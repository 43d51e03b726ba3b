export { fetchJson, type JsonRequest, type JsonResponse, type HttpDependencies, type HeaderSource, type RetryEvent } from "./fetchJson";
export { HttpError, errorFromBody, describeUrl } from "./httpError";
export { RateLimiter, type RateLimits, type RateReservation } from "./rateLimiter";
export { defaultRetryPolicy, resolveRetryPolicy, retryDelayMs, serverRetryDelayMs, type RetryOptions, type RetryPolicy } from "./retryPolicy";
export { systemClock, ManualClock, type Clock } from "../../core/clock";
