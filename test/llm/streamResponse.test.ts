import assert from "node:assert/strict";
import { HttpError } from "../../src/azure/http/httpError";
import { readStreamChunk, streamingBody } from "../../src/llm/streamResponse";
import type { AzureOpenAIConnection, LlmRequest } from "../../src/llm/types";

const chunk = (data: unknown, api: "chat" | "completion" = "chat") => readStreamChunk(typeof data === "string" ? data : JSON.stringify(data), api, 200, 1);

describe("llm/streamResponse: streamed chat and completions chunks", () => {
  it("reads the first choice's delta content, its finish_reason, and [DONE]", () => {
    assert.deepEqual(chunk({ choices: [{ index: 0, delta: { content: " Hello" }, finish_reason: null }] }), { text: " Hello", done: false });
    assert.deepEqual(chunk({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }), { text: "", finishReason: "stop", done: false });
    assert.deepEqual(chunk("[DONE]"), { text: "", done: true });
    assert.deepEqual(chunk({ choices: [{ index: 0, text: "hi", finish_reason: null }] }, "completion"), { text: "hi", done: false });
  });

  it("reads nothing from Azure's prompt-filter chunk, the role chunk and a null content", () => {
    assert.deepEqual(chunk({ choices: [], prompt_filter_results: [{ prompt_index: 0 }] }), { text: "", done: false });
    assert.deepEqual(chunk({ choices: [{ index: 0, delta: { role: "assistant", content: "" } }] }), { text: "", done: false });
    assert.deepEqual(chunk({ choices: [{ index: 0, delta: { content: null } }] }), { text: "", done: false });
  });

  it("ignores other choices (n > 1) and reads usage only from the usage chunk", () => {
    assert.deepEqual(chunk({ choices: [{ index: 1, delta: { content: "other" } }], usage: null }), { text: "", done: false });
    assert.deepEqual(chunk({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } }), {
      text: "",
      usage: { promptTokens: 12, completionTokens: 3, totalTokens: 15 },
      done: false,
    });
  });

  it("fails with the server's message on an error event, and on data that is not a chunk", () => {
    assert.throws(
      () => chunk({ error: { code: "server_error", message: "The server had an error" } }),
      (err: unknown) => err instanceof HttpError && err.code === "server_error" && /stream failed mid-answer: The server had an error/.test(err.message),
    );
    assert.throws(() => chunk("<html>"), (err: unknown) => err instanceof HttpError && err.code === "malformed_response");
    assert.throws(() => chunk("[1,2]"), (err: unknown) => err instanceof HttpError && err.code === "malformed_response");
  });

  it("asks for the usage chunk where the server knows stream_options: OpenAI, Azure from api-version 2024-09-01", () => {
    const azure = (apiVersion: string): LlmRequest => ({ api: "chat", model: "m", parameters: {}, messages: [], connection: { type: "azure_open_ai", name: "a", apiBase: "https://x", apiVersion, authMode: "key", apiKey: "k" } satisfies AzureOpenAIConnection });
    assert.deepEqual(streamingBody(azure("2024-06-01"), { messages: [] }), { messages: [], stream: true });
    assert.deepEqual(streamingBody(azure("2024-10-21"), {}), { stream: true, stream_options: { include_usage: true } });
    assert.deepEqual(streamingBody(azure("2025-01-01-preview"), {}), { stream: true, stream_options: { include_usage: true } });
    assert.deepEqual(streamingBody({ api: "chat", model: "m", parameters: {}, messages: [], connection: { type: "open_ai", name: "o" } }, {}), { stream: true, stream_options: { include_usage: true } });
  });
});
