/**
 * Reading a streamed chat or completions answer (`stream: true`): each server-sent event's data is a chunk
 * `{choices: [{index, delta: {content}, finish_reason}]}` (completions: `choices[].text`), Azure's first chunk may
 * carry only `prompt_filter_results` (no choices), `stream_options.include_usage` adds a last chunk with `usage`
 * and no choices, and `[DONE]` ends the stream. An `{error}` event is the server failing mid-answer.
 */
import { errorFromBody, HttpError } from "../azure/http/httpError";
import { isRecord } from "../core/values";
import { usageFrom } from "./llmResponse";
import type { LlmRequest, StreamableLlmRequest, TokenUsage } from "./types";

export interface StreamChunk {
  /** The first choice's new text; empty for a chunk without any (the role, the filter results, the usage). */
  text: string;
  finishReason?: string;
  /** Present on the usage chunk only. */
  usage?: TokenUsage;
  /** `[DONE]`: nothing follows. */
  done: boolean;
}

/** One event's data read as a chunk; throws HttpError for an error event or data that is not a chunk. */
export function readStreamChunk(data: string, api: StreamableLlmRequest["api"], status: number, attempts: number): StreamChunk {
  if (data.trim() === "[DONE]") return { text: "", done: true };
  let parsed: unknown;
  try {
    parsed = JSON.parse(data) as unknown;
  } catch {
    throw new HttpError(status, `the model's stream sent an event that is not JSON: ${JSON.stringify(data.slice(0, 80))}`, attempts, "malformed_response");
  }
  if (!isRecord(parsed)) throw new HttpError(status, `the model's stream sent an event that is not an object: ${data.slice(0, 80)}`, attempts, "malformed_response");
  if (parsed.error !== undefined && parsed.error !== null) {
    const error = errorFromBody(parsed);
    throw new HttpError(status, `the model's stream failed mid-answer: ${error.message ?? JSON.stringify(parsed.error).slice(0, 200)}`, attempts, error.code ?? "stream_error");
  }
  const chunk: StreamChunk = { text: "", done: false };
  const choices: unknown[] = Array.isArray(parsed.choices) ? (parsed.choices as unknown[]) : [];
  const first = choices.find((choice) => isRecord(choice) && (choice.index === undefined || choice.index === 0));
  if (isRecord(first)) {
    const content = api === "chat" ? (isRecord(first.delta) ? first.delta.content : undefined) : first.text;
    if (typeof content === "string") chunk.text = content;
    if (typeof first.finish_reason === "string") chunk.finishReason = first.finish_reason;
  }
  if (isRecord(parsed.usage)) chunk.usage = usageFrom(parsed);
  return chunk;
}

/**
 * `stream: true`, and the usage chunk asked for where the server knows the option: OpenAI-compatible servers, and
 * Azure OpenAI from api-version 2024-09-01 (older versions refuse `stream_options` as an unrecognised argument).
 */
export function streamingBody(request: LlmRequest, body: Record<string, unknown>): Record<string, unknown> {
  const { connection } = request;
  const usageChunk = connection.type === "open_ai" || (connection.type === "azure_open_ai" && connection.apiVersion.slice(0, 10) >= "2024-09-01");
  return { ...body, stream: true, ...(usageChunk ? { stream_options: { include_usage: true } } : {}) };
}
