export { createLlmInvoker, type LlmInvokerOptions } from "./invoker";
export { resolveConnections, type ConnectionSpec, type Environment } from "./connections";
export { llmHttpRequest, parameterBody, defaultOpenAiBaseUrl, type LlmHttpRequest } from "./httpRequest";
export { llmResultFrom, usageFrom } from "./llmResponse";
export { estimateTokens, defaultCompletionEstimate } from "./tokenEstimate";
export { cachedTokenProvider, cognitiveServicesScope, type TokenCredentialLike, type TokenProvider } from "../azure/entraAuth";
export type * from "./types";
