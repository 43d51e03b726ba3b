export { fetchJson, type JsonRequest, type JsonResponse, type HttpDependencies, type HeaderSource, type RetryEvent } from "./fetchJson";
export { HttpError, errorFromBody, describeUrl } from "./httpError";
export { RateLimiter, type RateLimits, type RateReservation } from "./rateLimiter";
export { defaultRetryOptions, resolveRetryOptions, backoffDelayMs, serverRetryDelayMs, type RetryOptions } from "./retryPolicy";
export { systemClock, ManualClock, type Clock } from "../../core/clock";
