import assert from "node:assert/strict";
import { createPythonPool, type PythonPool } from "../../src/flow";
import { createServeApp, type ServeApp } from "../../src/serve/app";
import { loadFlowToServe, type ServedFlow } from "../../src/serve/servedFlow";
import { createLlmInvoker } from "../../src/llm/invoker";
import type { Connection, LlmInvoker } from "../../src/llm/types";
import { AOAI, cleanupFlowDirs, FakeLlm, writeFlowDir } from "../flow/support";
import { azureConnectionTo, startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fakeOpenAiServer";
import { parseEvents } from "./fixtures";

/** A flex entry returning a dict: a generator field among plain ones (prompt flow streams the generator). */
const dictFlex = {
  "flow.flex.yaml": "entry: answer:answer\n",
  "answer.py": `
def answer(question: str, fields: int = 1):
    def words():
        for word in ["the", " refund", " is", " on", " its", " way"]:
            yield word
    result = {"sources": ["kb/refunds.md"], "answer": words(), "question": question}
    if fields == 2:
        result["summary"] = iter(["short", " version"])
    return result
`,
};

describe("serve: streamed outputs other than a DAG chat answer, as prompt flow streams them", function () {
  this.timeout(30000);
  let python: PythonPool;
  let model: FakeOpenAiServer;
  let dagFlow: string;
  let flexUrl: string;
  const started: { app: ServeApp; flow: ServedFlow }[] = [];

  async function serve(dir: string, llm: LlmInvoker, connection: Connection): Promise<string> {
    const flow = await loadFlowToServe(dir, process.env).start({ environment: process.env, connections: { aoai: connection }, llm, python });
    const app = createServeApp({ flow, version: "1.2.3" });
    started.push({ app, flow });
    return app.listen("127.0.0.1", 0);
  }
  const score = (url: string, body: unknown, accept: string): Promise<Response> =>
    fetch(`${url}/score`, { method: "POST", headers: { "content-type": "application/json", accept }, body: JSON.stringify(body) });

  before(async () => {
    python = createPythonPool({ size: 1, environment: process.env });
    model = await startFakeOpenAiServer({ answer: () => "the refund is on its way", chunkDelayMs: 5 });
    flexUrl = await serve(writeFlowDir(dictFlex), new FakeLlm(), AOAI);
    dagFlow = writeFlowDir({
      "flow.dag.yaml": `
inputs:
  question: {type: string}
outputs:
  answer: {type: string, reference: "\${answer.output}"}
  asked: {type: string, reference: "\${inputs.question}"}
nodes:
- name: answer
  type: llm
  source: {type: code, path: answer.jinja2}
  inputs: {deployment_name: gpt-4o-mini, question: "\${inputs.question}"}
  connection: aoai
  api: chat
`,
      "answer.jinja2": "user:\n{{question}}\n",
    });
  });
  after(async () => {
    for (const { app, flow } of started) {
      await app.shutdown(1000);
      await flow.close();
    }
    await python.close();
    await model.close();
    cleanupFlowDirs();
  });

  it("a flex dict result: the other fields first, then one event per chunk under the generator's own name, as prompt flow does", async () => {
    const response = await score(flexUrl, { question: "refund?" }, "text/event-stream");
    assert.equal(response.status, 200);
    assert.deepEqual(parseEvents(await response.text()), [
      { sources: ["kb/refunds.md"], question: "refund?" },
      ...["the", " refund", " is", " on", " its", " way"].map((word) => ({ answer: word })),
    ]);
    const json = await score(flexUrl, { question: "refund?" }, "application/json");
    assert.deepEqual(await json.json(), { sources: ["kb/refunds.md"], answer: "the refund is on its way", question: "refund?" });
  });

  it("a flex dict result's second generator field is not streamed: its whole text closes the stream", async () => {
    const response = await score(flexUrl, { question: "refund?", fields: 2 }, "text/event-stream");
    const events = parseEvents(await response.text());
    assert.deepEqual(events[0], { sources: ["kb/refunds.md"], question: "refund?" });
    assert.deepEqual(events.at(-1), { summary: "short version" });
    assert.equal(events.slice(1, -1).map((event) => (event as { answer: string }).answer).join(""), "the refund is on its way");
  });

  it("a DAG flow without a chat output streams the output an LLM node feeds directly: the other outputs, then its words; JSON clients get it whole", async () => {
    const url = await serve(dagFlow, createLlmInvoker(), azureConnectionTo(model, "unused"));
    const post = (accept: string): Promise<Response> => score(url, { question: "refund?" }, accept);
    const streamed = await post("text/event-stream");
    assert.equal(streamed.status, 200);
    assert.deepEqual(parseEvents(await streamed.text()), [{ asked: "refund?" }, ...["the", " refund", " is", " on", " its", " way"].map((word) => ({ answer: word }))]);
    assert.equal(model.requests[0].body.stream, true);
    assert.deepEqual(await (await post("application/json")).json(), { answer: "the refund is on its way", asked: "refund?" });
    assert.equal(model.requests[1].body.stream, undefined);
  });
});
