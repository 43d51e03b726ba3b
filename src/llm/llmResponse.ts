/** Reading a completions response: the text of the first choice and the token usage (zeros when omitted). */
import { HttpError } from "../azure/http/httpError";
import type { LlmRequest, LlmResult, TokenUsage } from "./types";

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : 0;
}

export function usageFrom(body: unknown): TokenUsage {
  const usage = record(record(body)?.usage);
  const promptTokens = count(usage?.prompt_tokens);
  const completionTokens = count(usage?.completion_tokens);
  const total = count(usage?.total_tokens);
  return { promptTokens, completionTokens, totalTokens: total || promptTokens + completionTokens };
}

/** The error of an answer the content filter withheld entirely (a partly filtered answer keeps its text). */
export function contentFilterWithheld(status: number, attempts: number): HttpError {
  return new HttpError(status, "the model's answer was withheld by the content filter (finish_reason: content_filter)", attempts, "content_filter");
}

/** Throws HttpError for a body without choices or a choice the content filter withheld. */
export function llmResultFrom(body: unknown, api: LlmRequest["api"], status: number, attempts: number): LlmResult {
  if (api === "embedding") {
    const data = record(body)?.data;
    const vector = Array.isArray(data) ? record(data[0])?.embedding : undefined;
    if (!Array.isArray(vector) || !vector.every((n) => typeof n === "number")) {
      throw new HttpError(status, `the embeddings response has no data[0].embedding: ${JSON.stringify(body).slice(0, 200)}`, attempts, "malformed_response");
    }
    return { text: "", embedding: vector, usage: usageFrom(body) };
  }
  const choices = record(body)?.choices;
  const first = Array.isArray(choices) ? record(choices[0]) : undefined;
  if (!first) {
    throw new HttpError(status, `the model's response has no choices: ${JSON.stringify(body).slice(0, 200)}`, attempts, "malformed_response");
  }
  const finishReason = typeof first.finish_reason === "string" ? first.finish_reason : undefined;
  const content = api === "chat" ? record(first.message)?.content : first.text;
  if (finishReason === "content_filter" && (typeof content !== "string" || content === "")) {
    throw contentFilterWithheld(status, attempts);
  }
  return { text: typeof content === "string" ? content : "", usage: usageFrom(body), finishReason };
}
