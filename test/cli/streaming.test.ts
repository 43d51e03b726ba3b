/**
 * A chat flow's answer token by token, end to end: `llmops serve` with `Accept: text/event-stream` and
 * `llmops chat` against the fake OpenAI server streaming its answer word by word. The fake holds its last chunk
 * until the test has seen the first word arrive, so a buffered answer would fail (hang) rather than pass.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runLlmops } from "../evaluation/phases/cliSupport";
import { cleanupFlowDirs } from "../flow/support";
import { writeChatFlow } from "../serve/fixtures";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fakeOpenAiServer";
import { llmopsCli, repositoryRoot, startServe, type ServeProcess } from "../support/llmopsServe";

const apiKey = "fake-key-streaming-SECRET-5150";
const answer = "Your ticket is about a failed payment on the March invoice";
const kinds = path.join(repositoryRoot, "test/flows/kinds");
const connectionsFile = path.join(kinds, "experiment.yaml");

/** Reads server-sent events from a response as they arrive; `onEvent` sees each one before the next is read. */
async function readEvents(response: Response, onEvent: (event: Record<string, unknown>) => void): Promise<Record<string, unknown>[]> {
  const events: Record<string, unknown>[] = [];
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    buffer += decoder.decode(read.value as Uint8Array, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      assert.ok(block.startsWith("data: "), `not an SSE data event: ${block}`);
      const event = JSON.parse(block.slice("data: ".length)) as Record<string, unknown>;
      events.push(event);
      onEvent(event);
      end = buffer.indexOf("\n\n");
    }
  }
  assert.equal(buffer, "");
  return events;
}

describe("a chat flow's answer token by token (llmops serve, llmops chat)", function () {
  this.timeout(60000);
  let openAi: FakeOpenAiServer;
  let server: ServeProcess;
  let flowDir: string;

  before(async () => {
    openAi = await startFakeOpenAiServer({ apiKey, answer: () => answer, chunkDelayMs: 20 });
    flowDir = writeChatFlow();
    server = await startServe({ args: ["--flow", flowDir, "--connections", connectionsFile], env: { AOAI_API_BASE: openAi.url, AOAI_API_KEY: apiKey } });
  });
  beforeEach(() => {
    openAi.requests.length = 0;
  });
  after(async () => {
    await server?.stop("SIGKILL");
    await openAi.close();
    cleanupFlowDirs();
  });

  const score = (body: unknown, accept: string): Promise<Response> =>
    fetch(`${server.url}/score`, { method: "POST", headers: { "content-type": "application/json", accept }, body: JSON.stringify(body) });

  it("serve: the other outputs first, then each word as the model sends it, before the model has finished", async () => {
    const release = openAi.holdStreamEnds();
    const endedBefore = openAi.streamsEnded();
    let endedAtFirstWord: number | undefined;
    let events: Record<string, unknown>[];
    try {
      const response = await score({ question: "What is my ticket about?", chat_history: [] }, "text/event-stream");
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
      events = await readEvents(response, (event) => {
        if (event.answer !== undefined && endedAtFirstWord === undefined) {
          endedAtFirstWord = openAi.streamsEnded();
          release();
        }
      });
    } finally {
      release();
    }
    assert.equal(endedAtFirstWord, endedBefore, "the first word arrived only after the model's last chunk: the answer was buffered");
    assert.deepEqual(events[0], { turns: 0 }, "prompt flow sends the other outputs first");
    const words = events.slice(1).map((event) => event.answer);
    assert.equal(words.length, answer.split(" ").length);
    assert.equal(words.join(""), answer);
    assert.equal(openAi.requests[0].body.stream, true);
  });

  it("serve: JSON clients get the whole answer in one response, and the model is not asked to stream", async () => {
    const response = await score({ question: "q", chat_history: [] }, "application/json");
    assert.deepEqual(await response.json(), { answer, turns: 0 });
    assert.equal(openAi.requests[0].body.stream, undefined);
  });

  it("serve: a 429 before the stream is retried; an error mid-stream ends the events with the error, the key never shown", async () => {
    openAi.fail({ kind: "status", status: 429, headers: { "retry-after-ms": "50" } });
    const retried = await readEvents(await score({ question: "q", chat_history: [] }, "text/event-stream"), () => undefined);
    assert.equal(retried.slice(1).map((event) => event.answer).join(""), answer);
    assert.equal(openAi.requests.length, 2);

    openAi.fail({ kind: "streamError", afterChunks: 3, message: "The server had an error while processing your request." });
    const broken = await readEvents(await score({ question: "q", chat_history: [] }, "text/event-stream"), () => undefined);
    assert.deepEqual(broken.slice(0, 4), [{ turns: 0 }, { answer: "Your" }, { answer: " ticket" }, { answer: " is" }]);
    const last = broken.at(-1) as { error?: { code: string; message: string } };
    assert.equal(last.error?.code, "SystemError");
    assert.match(last.error?.message ?? "", /node 'chat': .*stream failed mid-answer: The server had an error/);
    assert.ok(!server.stdout().includes(apiKey) && !server.stderr().includes(apiKey), "the key reached the logs");
  });

  it("serve: a client that goes away mid-answer cancels the model's stream", async () => {
    const release = openAi.holdStreamEnds();
    const abandonedBefore = openAi.streamsAbandoned();
    const client = new AbortController();
    try {
      const response = await fetch(`${server.url}/score`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ question: "q", chat_history: [] }),
        signal: client.signal,
      });
      await assert.rejects(
        readEvents(response, (event) => {
          if (event.answer !== undefined) client.abort();
        }),
      );
      // The abort travels server → engine → LLM client, which closes its connection to the model.
      for (let waited = 0; openAi.streamsAbandoned() === abandonedBefore && waited < 20_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(openAi.streamsAbandoned(), abandonedBefore + 1);
    } finally {
      release();
    }
  });

  it("chat: prints each word as it arrives, before the model has finished", async () => {
    const release = openAi.holdStreamEnds();
    const endedBefore = openAi.streamsEnded();
    const child = spawn(process.execPath, [llmopsCli, "chat", "--flow", path.join(kinds, "chat_dag"), "--connections", connectionsFile], {
      cwd: repositoryRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, AOAI_API_BASE: openAi.url, AOAI_API_KEY: apiKey },
    });
    let stdout = "";
    let endedAtFirstWord: number | undefined;
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (endedAtFirstWord === undefined && stdout.includes("Bot: Your")) {
        endedAtFirstWord = openAi.streamsEnded();
        release();
      }
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    child.stdin.end("What is my ticket about?\n");
    const code = await exited;
    release();
    assert.equal(code, 0, stderr);
    assert.equal(endedAtFirstWord, endedBefore, "the first word was printed only after the model's last chunk");
    assert.match(stdout, new RegExp(`Bot: ${answer}\\n`));
    assert.equal(openAi.requests[0].body.stream, true);
  });

  it("llmops run (a bulk run) never asks the model to stream", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-stream-run-"));
    try {
      const data = path.join(out, "questions.jsonl");
      fs.writeFileSync(data, '{"question": "one"}\n{"question": "two"}\n');
      const result = await runLlmops(["run", "--flow", path.join(kinds, "chat_dag"), "--data", data, "--connections", connectionsFile, "--out", path.join(out, "runs")], { AOAI_API_BASE: openAi.url, AOAI_API_KEY: apiKey });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(openAi.requests.length, 2);
      assert.ok(openAi.requests.every((request) => request.body.stream === undefined && request.body.stream_options === undefined));
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
