import assert from "node:assert/strict";
import { HttpError } from "../../src/azure/http/httpError";
import { createLlmInvoker } from "../../src/llm/invoker";
import type { AzureOpenAIConnection, OpenAIConnection, StreamableLlmRequest } from "../../src/llm/types";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fakeOpenAiServer";

const key = "azure-key-SECRET-stream-7";
const answer = "Your invoice was corrected and the refund is on its way";

describe("createLlmInvoker().stream: chat answers token by token", () => {
  let server: FakeOpenAiServer;
  let azure: AzureOpenAIConnection;
  before(async () => {
    server = await startFakeOpenAiServer({ apiKey: key, answer: () => answer, chunkDelayMs: 5 });
    azure = { type: "azure_open_ai", name: "aoai", apiBase: server.url, apiVersion: "2024-10-21", authMode: "key", apiKey: key };
  });
  beforeEach(() => {
    server.requests.length = 0;
  });
  after(() => server.close());

  const chat = (connection: StreamableLlmRequest["connection"]): StreamableLlmRequest => ({
    api: "chat",
    connection,
    model: "gpt-4o-mini",
    parameters: { temperature: 0 },
    messages: [{ role: "user", content: "Where is my refund?" }],
  });
  const stream = (request: StreamableLlmRequest, signal?: AbortSignal) => {
    const pieces: string[] = [];
    const invoker = createLlmInvoker({ retry: { baseDelayMs: 1 } });
    return { pieces, result: invoker.stream!(request, (text) => pieces.push(text), signal) };
  };

  it("sends stream: true with include_usage, hands on each piece, returns the whole text and the server's usage", async () => {
    const { pieces, result } = stream(chat(azure));
    const done = await result;
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].body.stream, true);
    assert.deepEqual(server.requests[0].body.stream_options, { include_usage: true });
    assert.equal(server.requests[0].body.temperature, 0);
    assert.equal(pieces.length, answer.split(" ").length);
    assert.equal(pieces.join(""), answer);
    assert.equal(done.text, answer);
    assert.equal(done.finishReason, "stop");
    assert.deepEqual(done.usage, { promptTokens: 4, completionTokens: 11, totalTokens: 15 });
  });

  it("streams from OpenAI-compatible servers and completions too", async () => {
    const openai: OpenAIConnection = { type: "open_ai", name: "oai", baseUrl: server.openAiBaseUrl, apiKey: key };
    const { pieces, result } = stream(chat(openai));
    assert.equal((await result).text, answer);
    assert.ok(pieces.length > 1);
    assert.equal(server.requests[0].path, "/v1/chat/completions");
    const completion = stream({ api: "completion", connection: azure, model: "davinci", parameters: {}, prompt: "Where is my refund?" });
    assert.equal((await completion.result).text, answer);
    assert.equal(completion.pieces.join(""), answer);
  });

  it("an Azure api-version before stream_options gets no stream_options, and the usage is estimated", async () => {
    const { result } = stream(chat({ ...azure, apiVersion: "2024-06-01" }));
    const done = await result;
    assert.equal(server.requests[0].body.stream_options, undefined);
    assert.equal(done.text, answer);
    assert.ok(done.usage.completionTokens > 0 && done.usage.totalTokens === done.usage.promptTokens + done.usage.completionTokens);
  });

  it("hands on the first piece before the server has sent its last chunk", async () => {
    const release = server.holdStreamEnds();
    const endedBefore = server.streamsEnded();
    let endedAtFirstPiece: number | undefined;
    let firstPiece = (): void => undefined;
    const first = new Promise<void>((resolve) => {
      firstPiece = resolve;
    });
    const done = createLlmInvoker().stream!(chat(azure), () => {
      endedAtFirstPiece ??= server.streamsEnded();
      firstPiece();
    });
    try {
      await first;
    } finally {
      release();
    }
    await done;
    assert.equal(endedAtFirstPiece, endedBefore, "the first piece came only after the server finished: the answer was buffered");
    assert.equal(server.streamsEnded(), endedBefore + 1);
  });

  it("retries a 429 before the stream starts, as the server's Retry-After says", async () => {
    server.fail({ kind: "status", status: 429, headers: { "retry-after-ms": "20" } });
    const { pieces, result } = stream(chat(azure));
    assert.equal((await result).text, answer);
    assert.equal(server.requests.length, 2);
    assert.equal(pieces.join(""), answer, "the refused attempt handed nothing on");
  });

  it("an error mid-stream fails the call with the server's message, without a retry", async () => {
    server.fail({ kind: "streamError", afterChunks: 3, message: "The server had an error while processing your request." });
    const { pieces, result } = stream(chat(azure));
    await assert.rejects(result, (err: unknown) => err instanceof HttpError && /stream failed mid-answer: The server had an error/.test(err.message));
    assert.equal(pieces.length, 3);
    assert.equal(server.requests.length, 1);
  });

  it("a connection dropped mid-stream fails the call, without a retry", async () => {
    server.fail({ kind: "streamDrop", afterChunks: 2 });
    const { pieces, result } = stream(chat(azure));
    await assert.rejects(result, (err: unknown) => err instanceof HttpError && /event stream broke off/.test(err.message));
    assert.equal(pieces.length, 2);
    assert.equal(server.requests.length, 1);
  });

  it("times out a stream that stops sending (the attempt timeout covers each gap), without a retry", async () => {
    const slow = await startFakeOpenAiServer({ answer: () => answer, chunkDelayMs: 400 });
    try {
      const invoker = createLlmInvoker({ retry: { timeoutMs: 150, baseDelayMs: 1 } });
      await assert.rejects(
        invoker.stream!(chat({ ...azure, apiBase: slow.url }), () => undefined),
        (err: unknown) => err instanceof HttpError && err.code === "timeout" && /event stream sent nothing for 150 ms/.test(err.message),
      );
      assert.equal(slow.requests.length, 1);
    } finally {
      await slow.close();
    }
  });

  it("retries a server that never starts answering; caps the streamed text like a whole answer", async () => {
    server.fail({ kind: "hang" });
    const pieces: string[] = [];
    const retried = await createLlmInvoker({ retry: { timeoutMs: 300, baseDelayMs: 1 } }).stream!(chat(azure), (text) => pieces.push(text));
    assert.equal(retried.text, answer);
    assert.equal(server.requests.length, 2);
    await assert.rejects(
      createLlmInvoker({ maxResponseBytes: 20 }).stream!(chat(azure), () => undefined),
      (err: unknown) => err instanceof HttpError && err.code === "response_too_large",
    );
  });

  it("an abort stops the stream with the caller's reason", async () => {
    const abort = new AbortController();
    const reason = new Error("the client went away");
    const invoker = createLlmInvoker();
    const pieces: string[] = [];
    const result = invoker.stream!(chat(azure), (text) => {
      pieces.push(text);
      if (pieces.length === 2) abort.abort(reason);
    }, abort.signal);
    await assert.rejects(result, (err: unknown) => err === reason);
    assert.ok(pieces.length < answer.split(" ").length);
  });

  it("a wrong key fails before the stream with 401, the key never in the message; a withheld answer is a content-filter error", async () => {
    const wrong = "wrong-key-SECRET-99";
    const { result } = stream(chat({ ...azure, apiKey: wrong }));
    await assert.rejects(result, (err: unknown) => err instanceof HttpError && err.status === 401 && !err.message.includes(wrong));
    const filtered = await startFakeOpenAiServer({ answer: () => ({ text: "", finishReason: "content_filter" }) });
    try {
      const blocked = stream(chat({ ...azure, apiBase: filtered.url }));
      await assert.rejects(blocked.result, (err: unknown) => err instanceof HttpError && err.code === "content_filter");
    } finally {
      await filtered.close();
    }
  });
});
