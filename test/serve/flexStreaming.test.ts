import assert from "node:assert/strict";
import { createPythonPool, type PythonPool } from "../../src/flow";
import { createServeApp, type ServeApp } from "../../src/serve/app";
import { loadFlowToServe, type ServedFlow } from "../../src/serve/servedFlow";
import { AOAI, cleanupFlowDirs, FakeLlm, writeFlowDir } from "../flow/support";
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

describe("serve: a flex flow's generator field streams after the fields that are not generators", function () {
  this.timeout(30000);
  let python: PythonPool;
  let app: ServeApp;
  let flow: ServedFlow;
  let url: string;
  before(async () => {
    python = createPythonPool({ size: 1, environment: process.env });
    flow = await loadFlowToServe(writeFlowDir(dictFlex), process.env).start({ environment: process.env, connections: { aoai: AOAI }, llm: new FakeLlm(), python });
    app = createServeApp({ flow, version: "1.2.3" });
    url = await app.listen("127.0.0.1", 0);
  });
  after(async () => {
    await app.shutdown(1000);
    await flow.close();
    await python.close();
    cleanupFlowDirs();
  });

  const score = (body: unknown, accept: string): Promise<Response> =>
    fetch(`${url}/score`, { method: "POST", headers: { "content-type": "application/json", accept }, body: JSON.stringify(body) });

  it("sends the other fields first, then one event per chunk under the generator's own name, as prompt flow does", async () => {
    const response = await score({ question: "refund?" }, "text/event-stream");
    assert.equal(response.status, 200);
    assert.deepEqual(parseEvents(await response.text()), [
      { sources: ["kb/refunds.md"], question: "refund?" },
      ...["the", " refund", " is", " on", " its", " way"].map((word) => ({ answer: word })),
    ]);
    const json = await score({ question: "refund?" }, "application/json");
    assert.deepEqual(await json.json(), { sources: ["kb/refunds.md"], answer: "the refund is on its way", question: "refund?" });
  });

  it("a second generator field is not streamed: its whole text closes the stream", async () => {
    const response = await score({ question: "refund?", fields: 2 }, "text/event-stream");
    const events = parseEvents(await response.text());
    assert.deepEqual(events[0], { sources: ["kb/refunds.md"], question: "refund?" });
    assert.deepEqual(events.at(-1), { summary: "short version" });
    assert.equal(events.slice(1, -1).map((event) => (event as { answer: string }).answer).join(""), "the refund is on its way");
  });
});
