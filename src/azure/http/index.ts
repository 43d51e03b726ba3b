export { fetchJson, type HttpDependencies } from "./fetchJson";
export { HttpError } from "./httpError";
export { type RetryOptions } from "./retryPolicy";
export { systemClock, ManualClock } from "../../core/clock";
