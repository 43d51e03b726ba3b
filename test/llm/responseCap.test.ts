import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpError } from "../../src/azure/http/httpError";
import { createLlmInvoker } from "../../src/llm/invoker";
import type { AzureOpenAIConnection, LlmRequest } from "../../src/llm/types";
import { runBulk } from "../../src/runs/bulk/runBulk";
import type { LineExecutor, LineRecord } from "../../src/runs/bulk/types";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fakeOpenAiServer";

describe("response bodies are capped", () => {
  let server: FakeOpenAiServer;
  let connection: AzureOpenAIConnection;
  let dir: string;
  before(async () => {
    // "huge" answers 3 MB; anything else is echoed.
    server = await startFakeOpenAiServer({ answer: (request) => (JSON.stringify(request.body.messages).includes("huge") ? "x".repeat(3 * 1024 * 1024) : "ok") });
    connection = { type: "azure_open_ai", name: "aoai", apiBase: server.url, apiVersion: "2024-06-01", authMode: "key", apiKey: "k" };
    dir = await mkdtemp(join(tmpdir(), "response-cap-"));
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  const chat = (text: string): LlmRequest => ({ api: "chat", connection, model: "m", parameters: {}, messages: [{ role: "user", content: text }] });

  it("fails a call whose response exceeds the cap, once, without retrying", async () => {
    server.requests.length = 0;
    const error = await createLlmInvoker({ maxResponseBytes: 1024 * 1024 })
      .invoke(chat("huge"))
      .then(() => undefined, (err: unknown) => err);
    assert.ok(error instanceof HttpError, String(error));
    assert.equal(error.code, "response_too_large");
    assert.match(error.message, /exceeds 1 MB/);
    assert.equal(server.requests.length, 1);
  });

  it("fails only that line: the run goes on, and --resume reads the records back", async () => {
    const llm = createLlmInvoker({ maxResponseBytes: 1024 * 1024 });
    const executor: LineExecutor = {
      runLine: async (inputs, context) => {
        const result = await llm.invoke(chat(String(inputs.text)), context.signal);
        return { status: "Completed", outputs: { answer: result.text }, usage: result.usage };
      },
    };
    const data = join(dir, "data.jsonl");
    await writeFile(data, ["a", "huge", "b"].map((text) => JSON.stringify({ text })).join("\n"));
    const runDir = join(dir, "run");
    const first = await runBulk({ data, executor, runDir });
    assert.deepEqual([first.completed, first.failed], [2, 1]);
    const resumed = await runBulk({ data, executor, runDir, resume: true });
    assert.deepEqual([resumed.completed, resumed.failed], [2, 1]);
    const records = (await readFile(join(runDir, "outputs.jsonl"), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as LineRecord);
    assert.match(records[1].error!.message, /exceeds 1 MB/);
    assert.ok((await readFile(join(runDir, "records.jsonl"), "utf8")).length < 10_000, "no oversized text was recorded");
  });

  it("caps a response read through an injected fetch too", async () => {
    const error = await createLlmInvoker({ maxResponseBytes: 1024 * 1024, http: { fetch } })
      .invoke(chat("huge"))
      .then(() => undefined, (err: unknown) => err);
    assert.ok(error instanceof HttpError && error.code === "response_too_large", String(error));
  });
});
