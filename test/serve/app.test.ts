import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createPythonPool, type PythonPool } from "../../src/flow";
import { createServeApp, type ServeApp, type ServeAppOptions } from "../../src/serve/app";
import { createFileDataCollector } from "../../src/serve/dataCollector";
import { loadFlowToServe, type ServedFlow } from "../../src/serve/servedFlow";
import { AOAI, cleanupFlowDirs, FakeLlm } from "../flow/support";
import { parseEvents, sampleFlowDir, writeChatFlow, writeTypedFlow } from "./fixtures";

interface Running {
  app: ServeApp;
  url: string;
  flow: ServedFlow;
  logs: string[];
}

describe("serve/app: prompt flow's serving contract", function () {
  this.timeout(30000);
  let python: PythonPool;
  const running: Running[] = [];
  const classifier = new FakeLlm(() => JSON.stringify({ category: "outage", confidence: 0.92 }));

  before(() => {
    python = createPythonPool({ size: 2, environment: process.env });
  });
  afterEach(async () => {
    for (const { app, flow } of running.splice(0)) {
      await app.shutdown(1000);
      await flow.close();
    }
  });
  after(async () => {
    await python.close();
    cleanupFlowDirs();
  });

  async function serve(flowDir: string, llm: FakeLlm, options: Partial<ServeAppOptions> = {}): Promise<Running> {
    const flow = await loadFlowToServe(flowDir, process.env).start({ environment: process.env, connections: { aoai: AOAI }, llm, python });
    const logs: string[] = [];
    const app = createServeApp({ flow, version: "1.2.3", log: { destination: { write: (line) => void logs.push(line) } }, ...options });
    const url = await app.listen("127.0.0.1", 0);
    const entry = { app, url, flow, logs };
    running.push(entry);
    return entry;
  }

  async function score(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${url}/score`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  }

  it("POST /score runs the sample flow and answers its outputs as JSON, echoing the request ids", async () => {
    const { url } = await serve(sampleFlowDir, classifier);
    const response = await score(url, { ticket_text: "The whole service is down, error 503 everywhere", customer_tier: "enterprise" }, {
      "x-request-id": "req-42",
      "x-ms-client-request-id": "client-7",
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-request-id"), "req-42");
    assert.equal(response.headers.get("x-ms-client-request-id"), "client-7");
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    const outputs = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(outputs).sort(), ["category", "confidence", "escalation", "priority", "reply", "sla_hours"]);
    assert.equal(outputs.category, "outage");
    assert.equal(outputs.confidence, 0.92);
  });

  it("gives a request without an id a fresh one, and refuses to repeat an id with separators", async () => {
    const { url } = await serve(writeTypedFlow(), classifier);
    const plain = await score(url, { text: "a", count: 1 });
    assert.match(plain.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    const injected = await score(url, { text: "a", count: 1 }, { "x-request-id": "a b\tc" });
    assert.notEqual(injected.headers.get("x-request-id"), "a b\tc");
  });

  it("missing and mistyped inputs are 400 with a message naming the input; a non-JSON body with several inputs is 400", async () => {
    const { url } = await serve(writeTypedFlow(), classifier);
    const missing = await score(url, { text: "a" });
    assert.equal(missing.status, 400);
    const missingBody = (await missing.json()) as { error: { code: string; message: string } };
    assert.equal(missingBody.error.code, "UserError");
    assert.match(missingBody.error.message, /'count'/);

    const mistyped = await score(url, { text: "a", count: "three" });
    assert.equal(mistyped.status, 400);
    assert.match(((await mistyped.json()) as { error: { message: string } }).error.message, /input 'count' of type int/);

    const notJson = await score(url, "just text");
    assert.equal(notJson.status, 400);
    assert.match(((await notJson.json()) as { error: { message: string } }).error.message, /not JSON/);

    const list = await score(url, [1, 2]);
    assert.equal(list.status, 400);
  });

  it("a flow that fails is a 500 with an error object naming the node, and no stack trace", async () => {
    const { url } = await serve(writeTypedFlow(), classifier);
    const response = await score(url, { text: "a", count: 2, fail: true });
    assert.equal(response.status, 500);
    const text = await response.text();
    const body = JSON.parse(text) as { error: { code: string; message: string; innerError: { code: string } } };
    assert.equal(body.error.code, "SystemError");
    assert.match(body.error.message, /node 'repeat'/);
    assert.match(body.error.message, /the tool refused this ticket/);
    assert.doesNotMatch(text, /Traceback|\.py", line|at .*\.ts:\d+/);
  });

  it("a body that is not JSON is the value of a flow's only input, whatever its content type", async () => {
    const flowDir = writeChatFlow();
    const llm = new FakeLlm((request) => (request.api === "chat" ? `echo: ${request.messages[request.messages.length - 1].content}` : ""));
    const { url } = await serve(flowDir, llm);
    // Two inputs but chat_history has a default: still two declared inputs, so JSON is required.
    const refused = await fetch(`${url}/score`, { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" });
    assert.equal(refused.status, 400);
    const single = await serve(writeFlowWithOneInput(), llm);
    const accepted = await fetch(`${single.url}/score`, { method: "POST", headers: { "content-type": "text/plain" }, body: "hello there" });
    assert.equal(accepted.status, 200);
    assert.deepEqual(await accepted.json(), { answer: "echo: hello there" });
  });

  it("serves flex and prompty flows through the same engine: a class flex flow, a generator flex flow, a prompty", async () => {
    const kinds = path.resolve(__dirname, "../flows/kinds");
    const llm = new FakeLlm((request) => {
      const last = request.api === "chat" ? request.messages[request.messages.length - 1].content : request.api === "completion" ? request.prompt : request.input;
      return request.parameters.response_format ? JSON.stringify({ category: "billing", confidence: 0.7 }) : `answer to ${last}`;
    });
    const classFlex = await serve(path.join(kinds, "class_flex"), llm);
    const answered = await score(classFlex.url, { question: "What is prompt flow?" });
    assert.equal(answered.status, 200);
    assert.deepEqual(await answered.json(), { answer: "answer to What is prompt flow?", words: 6 });
    const failed = await score(classFlex.url, { question: "boom" });
    assert.equal(failed.status, 500);
    assert.match(((await failed.json()) as { error: { message: string } }).error.message, /cannot answer boom/);

    const generator = await serve(path.join(kinds, "function_flex"), llm);
    assert.deepEqual(await (await score(generator.url, { text: "hey", times: 3 })).json(), { output: "HEY HEY HEY" });
    // Asked for events, the generator's chunks go out one event each, as the python entry yields them.
    const streamed = await score(generator.url, { text: "hey", times: 3 }, { accept: "text/event-stream" });
    assert.equal(streamed.status, 200);
    assert.match(streamed.headers.get("content-type") ?? "", /^text\/event-stream/);
    assert.deepEqual(parseEvents(await streamed.text()), ["HEY", " ", "HEY", " ", "HEY"].map((chunk) => ({ output: chunk })));

    const prompty = await serve(path.join(kinds, "prompty_json", "classify.prompty"), llm);
    assert.deepEqual(await (await score(prompty.url, { ticket: "Where is my invoice?" })).json(), { category: "billing", confidence: 0.7 });
    const swagger = (await (await fetch(`${prompty.url}/swagger.json`)).json()) as { info: Record<string, string>; paths: Record<string, { post: { requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } } }> };
    assert.equal(swagger.info["x-flow-name"], "classify");
    assert.deepEqual(Object.keys(swagger.paths["/score"].post.requestBody.content["application/json"].schema.properties), ["ticket", "language"]);
  });

  it("GET /health, /version and /swagger.json describe the server and the flow", async () => {
    const { url } = await serve(writeChatFlow(), classifier, { buildInfo: JSON.stringify({ build_number: "20261204.1" }) });
    assert.deepEqual(await (await fetch(`${url}/health`)).json(), { status: "Healthy", version: "1.2.3" });
    const version = (await (await fetch(`${url}/version`)).json()) as Record<string, unknown>;
    assert.equal(version.version, "20261204.1");
    assert.equal(version.status, "Healthy");
    const swagger = (await (await fetch(`${url}/swagger.json`)).json()) as {
      info: Record<string, string>;
      paths: Record<string, { post: { requestBody: { content: { "application/json": { schema: { properties: Record<string, { type: string }>; required: string[] } } } }; responses: Record<string, { content?: Record<string, { schema: { properties: Record<string, { type: string }> } }> }> } }>;
    };
    assert.equal(swagger.info["x-flow-type"], "chat");
    assert.equal(swagger.info["x-chat-input"], "question");
    assert.equal(swagger.info["x-chat-output"], "answer");
    const request = swagger.paths["/score"].post.requestBody.content["application/json"].schema;
    assert.deepEqual(request.required, ["question", "chat_history"]);
    assert.equal(request.properties.question.type, "string");
    assert.equal(request.properties.chat_history.type, "array");
    const responseSchema = swagger.paths["/score"].post.responses["200"].content!["application/json"].schema;
    assert.equal(responseSchema.properties.turns.type, "integer");
    assert.ok(swagger.paths["/feedback"]);
  });

  it("a chat flow streams server-sent events when asked (other outputs first, then the answer), JSON otherwise", async () => {
    const llm = new FakeLlm(() => "Your ticket is about billing.");
    const { url } = await serve(writeChatFlow(), llm);
    const history = [{ inputs: { question: "hi" }, outputs: { answer: "hello" } }];
    const streamed = await score(url, { question: "What is my ticket about?", chat_history: history }, { accept: "text/event-stream" });
    assert.equal(streamed.status, 200);
    assert.match(streamed.headers.get("content-type") ?? "", /^text\/event-stream/);
    assert.deepEqual(parseEvents(await streamed.text()), [{ turns: 1 }, { answer: "Your ticket is about billing." }]);
    // The history reached the model as earlier turns.
    const messages = llm.requests[llm.requests.length - 1];
    assert.equal(messages.api === "chat" ? messages.messages.length : 0, 4);

    const json = await score(url, { question: "again" }, { accept: "application/json" });
    assert.deepEqual(await json.json(), { answer: "Your ticket is about billing.", turns: 0 });
  });

  it("a flow without a chat output refuses an event-stream-only Accept with 406, as prompt flow does", async () => {
    const { url } = await serve(writeTypedFlow(), classifier);
    const response = await score(url, { text: "a", count: 1 }, { accept: "text/event-stream" });
    assert.equal(response.status, 406);
    assert.match(((await response.json()) as { error: { message: string } }).error.message, /application\/json/);
    const any = await score(url, { text: "a", count: 1 }, { accept: "text/event-stream, */*;q=0.1" });
    assert.equal(any.status, 200);
  });

  it("serves many requests in flight at once", async () => {
    const llm = new FakeLlm(() => JSON.stringify({ category: "billing", confidence: 0.5 }));
    const { url } = await serve(sampleFlowDir, llm);
    llm.hold();
    const responses = Array.from({ length: 24 }, (_, i) => score(url, { ticket_text: `ticket ${i}` }));
    await llm.whenWaiting(24);
    llm.release();
    const statuses = await Promise.all(responses.map(async (r) => (await r).status));
    assert.deepEqual(new Set(statuses), new Set([200]));
  });

  it("answers 504 when the flow outlives the request timeout", async () => {
    const llm = new FakeLlm(() => "late");
    const { url } = await serve(writeChatFlow(), llm, { requestTimeoutMs: 150 });
    llm.hold();
    const response = await score(url, { question: "slow?" });
    llm.release();
    assert.equal(response.status, 504);
    const body = (await response.json()) as { error: { code: string; innerError: { code: string } } };
    assert.equal(body.error.innerError.code, "RequestTimeout");
  });

  it("shuts down gracefully: requests in flight finish, new ones and /health get 503", async () => {
    const llm = new FakeLlm(() => "done");
    const { app, url } = await serve(writeChatFlow(), llm);
    llm.hold();
    const inFlight = [score(url, { question: "one" }), score(url, { question: "two" })];
    await llm.whenWaiting(2);
    const stopped = app.shutdown(10_000);
    const refused = await score(url, { question: "three" });
    assert.equal(refused.status, 503);
    assert.equal((await fetch(`${url}/health`)).status, 503);
    assert.equal(app.inFlight(), 2);
    llm.release();
    for (const response of await Promise.all(inFlight)) {
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { answer: "done", turns: 0 });
    }
    assert.equal(await stopped, 0);
    await assert.rejects(fetch(`${url}/health`));
  });

  it("logs one JSON line per request with its id, never a key, a header or a body", async () => {
    const secretText = "customer secret ticket text";
    const { url, logs } = await serve(writeTypedFlow(), classifier);
    await score(url, { text: secretText, count: 1 }, { "x-request-id": "log-1", authorization: "Bearer planted-token-123" });
    await score(url, { text: secretText, count: 1, fail: true }, { "x-request-id": "log-2" });
    const entries = logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    const completed = entries.filter((entry) => entry.msg === "request completed");
    assert.deepEqual(completed.map((entry) => [entry.requestId, entry.statusCode, entry.path]), [["log-1", 200, "/score"], ["log-2", 500, "/score"]]);
    const all = logs.join("\n");
    for (const forbidden of [secretText, "planted-token-123", AOAI.type === "azure_open_ai" ? (AOAI.apiKey ?? "") : ""]) {
      assert.ok(!all.includes(forbidden), `logs contain '${forbidden}'`);
    }
  });

  it("collects each request's inputs and outputs, correlated by request id, without waiting for the write", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "serve-dc-"));
    try {
      const collector = createFileDataCollector({ dir, source: "test-host", instanceId: "instance-1" });
      const { url } = await serve(writeTypedFlow(), classifier, { collector });
      await score(url, { text: "hello", count: 2 }, { "x-request-id": "dc-1" });
      await score(url, { text: "bad", count: 1, fail: true }, { "x-request-id": "dc-2" });
      await collector.close();
      const read = (collection: string): Record<string, unknown>[] => {
        const files = fs.readdirSync(path.join(dir, collection), { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".jsonl"));
        assert.equal(files.length, 1);
        assert.match(files[0], /^\d{4}\/\d{2}\/\d{2}\/\d{2}\/instance-1\.jsonl$/);
        return fs.readFileSync(path.join(dir, collection, files[0]), "utf8").trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
      };
      const inputs = read("model_inputs");
      const outputs = read("model_outputs");
      // The failed request has no outputs to collect.
      assert.deepEqual(inputs.map((line) => [line.correlationid, line.data]), [["dc-1", [{ text: "hello", count: 2 }]]]);
      assert.deepEqual(outputs.map((line) => [line.correlationid, line.data]), [["dc-1", [{ repeated: "hello hello" }]]]);
      assert.equal(inputs[0].type, "azureml.inference.inputs");
      assert.equal(inputs[0].source, "test-host");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a collector that cannot write drops its records and never fails or delays the response", async () => {
    const blocked = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "serve-dc-")), "file");
    fs.writeFileSync(blocked, "a file where a folder should be");
    const errors: string[] = [];
    const collector = createFileDataCollector({ dir: blocked, source: "test", onWriteError: (message) => void errors.push(message) });
    const { url } = await serve(writeTypedFlow(), classifier, { collector });
    const response = await score(url, { text: "x", count: 1 });
    assert.equal(response.status, 200);
    await collector.close();
    assert.equal(collector.dropped(), 1);
    assert.ok(errors.length >= 1 && !errors.join("").includes('"x"'));
    fs.rmSync(path.dirname(blocked), { recursive: true, force: true });
  });

  it("POST /feedback is acknowledged as prompt flow acknowledges it", async () => {
    const { url } = await serve(writeTypedFlow(), classifier);
    const response = await fetch(`${url}/feedback?flatten=true`, { method: "POST", body: JSON.stringify({ rating: 5 }) });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: "Feedback received." });
    const unknown = await fetch(`${url}/nothing`);
    assert.equal(unknown.status, 404);
  });
});

function writeFlowWithOneInput(): string {
  const dir = writeChatFlow();
  const file = path.join(dir, "flow.dag.yaml");
  const text = fs
    .readFileSync(file, "utf8")
    .replace("  chat_history: {type: list, default: []}\n", "")
    .replace('  turns: {type: int, reference: "${count_turns.output}"}\n', "")
    .replace(/- name: count_turns[\s\S]*$/, "")
    .replace(', chat_history: "${inputs.chat_history}"', "");
  fs.writeFileSync(file, text);
  return dir;
}
