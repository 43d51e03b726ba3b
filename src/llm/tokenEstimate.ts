/**
 * A pre-call token estimate for the tokens-per-minute limiter: about 4 characters per token for the prompt plus
 * the completion budget. It only has to be in the right range: the limiter corrects it from the reported usage.
 */
import type { LlmRequest, StreamableLlmRequest, TokenUsage } from "./types";

/** Completion budget assumed when the flow sets no max_tokens. */
export const defaultCompletionEstimate = 256;

function promptTokens(request: LlmRequest): number {
  if (request.api === "embedding") return Math.ceil(request.input.length / 4);
  const promptChars =
    request.api === "chat" ? request.messages.reduce((sum, message) => sum + message.content.length + 16, 0) : request.prompt.length;
  return Math.ceil(promptChars / 4);
}

export function estimateTokens(request: LlmRequest): number {
  if (request.api === "embedding") return promptTokens(request);
  return promptTokens(request) + (request.parameters.max_tokens ?? defaultCompletionEstimate);
}

/** A streamed answer's usage when the server sent none (Azure api-versions before stream_options): estimated. */
export function estimateUsage(request: StreamableLlmRequest, answer: string): TokenUsage {
  const prompt = promptTokens(request);
  const completion = Math.ceil(answer.length / 4);
  return { promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion };
}
