/**
 * A pre-call token estimate for the tokens-per-minute limiter: about 4 characters per token for the prompt plus
 * the completion budget. It only has to be in the right range: the limiter corrects it from the reported usage.
 */
import type { LlmRequest } from "./types";

/** Completion budget assumed when the flow sets no max_tokens. */
export const defaultCompletionEstimate = 256;

export function estimateTokens(request: LlmRequest): number {
  if (request.api === "embedding") return Math.ceil(request.input.length / 4);
  const promptChars =
    request.api === "chat" ? request.messages.reduce((sum, message) => sum + message.content.length + 16, 0) : request.prompt.length;
  return Math.ceil(promptChars / 4) + (request.parameters.max_tokens ?? defaultCompletionEstimate);
}
