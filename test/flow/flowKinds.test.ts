/**
 * Every flow kind through the one entry (`openFlow`), against the fake OpenAI server on 127.0.0.1: a class flex
 * flow calling a Prompty from Python (executed by the engine), a function flex flow with a generator output, and a
 * prompty with JSON output run directly.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { UserError } from "../../src/core/userError";
import { openFlow } from "../../src/flow/openFlow";
import { createPythonPool, type PythonPool } from "../../src/flow/pythonPool";
import { createLlmInvoker } from "../../src/llm";
import type { Connection } from "../../src/llm/types";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fakeOpenAiServer";
import { kindsAnswer } from "../flows/kindsAnswer";
import { cleanupFlowDirs, writeFlowDir } from "./support";

const kinds = path.resolve(__dirname, "../flows/kinds");
const apiKey = "fake-key-flow-kinds-0123";

describe("flow kinds through openFlow", function () {
  let server: FakeOpenAiServer;
  let python: PythonPool;
  let connections: Record<string, Connection>;
  const llm = createLlmInvoker({ retry: { maxAttempts: 1 } });
  const signal = new AbortController().signal;

  before(async () => {
    server = await startFakeOpenAiServer({
      apiKey,
      answer: kindsAnswer,
    });
    connections = {
      aoai: { type: "azure_open_ai", name: "aoai", apiBase: server.url, apiVersion: "2024-06-01", authMode: "key", apiKey },
      crm: { type: "custom", name: "crm", configs: { endpoint: "https://crm.example", queue: "tier-2" }, secrets: { token: "crm-secret-token-987" } },
    };
    python = createPythonPool({ size: 2, environment: process.env });
  });
  after(async () => {
    await python.close();
    await server.close();
    cleanupFlowDirs();
  });

  it("runs a class flex flow: init from init.json, Prompty called from Python through the engine, dataclass outputs, __aggregate__ metrics", async () => {
    const flow = await openFlow(path.join(kinds, "class_flex"), { environment: process.env, connections, llm, python });
    assert.equal(flow.interface.kind, "flex");
    const first = await flow.runLine({ question: "What is prompt flow?", chat_history: [] }, { lineNumber: 0, signal });
    assert.equal(first.status, "Completed", JSON.stringify(first.error));
    assert.deepEqual(first.outputs, { answer: "answer to What is prompt flow? after 2 messages", words: 9 });
    assert.ok(first.usage.totalTokens > 0, "the Prompty call's tokens count in the line");
    assert.equal(first.nodeRuns[0]?.stdout, "answered with 9 words\n");
    const history = [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }];
    const second = await flow.runLine({ question: "Name two colours", chat_history: history }, { lineNumber: 1, signal });
    assert.equal(second.outputs.answer, "answer to Name two colours after 4 messages");
    const request = server.requests[server.requests.length - 1];
    assert.equal(request.model, "gpt-4o-mini");
    assert.deepEqual((request.body.messages as { role: string }[]).map((m) => m.role), ["system", "user", "assistant", "user"]);
    const failed = await flow.runLine({ question: "boom" }, { lineNumber: 2, signal });
    assert.equal(failed.status, "Failed");
    assert.match(failed.error?.message ?? "", /Execution failure in 'answer_flow:AnswerFlow': RuntimeError: cannot answer boom/);
    const metrics = await flow.aggregate([first, second].map((line, lineNumber) => ({ lineNumber, inputs: {}, aggregationInputs: line.aggregationInputs })));
    assert.deepEqual(metrics, { metrics: { mean_words: 8.5, answered: 2 } });
    await flow.close();
  });

  it("fails the run when __init__ raises, and before it when a required init argument is missing", async () => {
    await assert.rejects(
      openFlow(path.join(kinds, "class_flex"), { environment: process.env, connections, llm, python, init: { max_words: 0 } }),
      (err: unknown) => err instanceof UserError && /cannot start answer_flow:AnswerFlow: AnswerFlow\.__init__ failed: \(ValueError\) max_words must be positive/.test(err.message),
    );
    const dir = writeFlowDir({ "flow.flex.yaml": "entry: f:F\n", "f.py": "class F:\n    def __init__(self, name):\n        self.name = name\n    def __call__(self, x: str):\n        return x\n" });
    await assert.rejects(openFlow(dir, { environment: process.env, connections, llm, python }), (err: unknown) => err instanceof UserError && /needs init argument name/.test(err.message));
  });

  it("runs an async flex entry whose model configuration carries ${env:VAR} values instead of a connection", async () => {
    const dir = writeFlowDir({
      "flow.flex.yaml": "entry: app:Ask\ninit:\n  model_config:\n    type: OpenAIModelConfiguration\n",
      "init.json": JSON.stringify({ model_config: { base_url: "${env:LOCAL_BASE}", api_key: "${env:LOCAL_KEY}", model: "local-model" } }),
      "ask.prompty": "---\nmodel:\n  api: chat\n  configuration: {type: openai}\ninputs: {q: {type: string}}\n---\nuser:\n{{q}}\n",
      "app.py": [
        "import asyncio",
        "from promptflow.core import OpenAIModelConfiguration, Prompty",
        "class Ask:",
        "    def __init__(self, model_config: OpenAIModelConfiguration):",
        "        self.prompty = Prompty.load(source='ask.prompty', model={'configuration': model_config})",
        "    async def __call__(self, q: str) -> str:",
        "        await asyncio.sleep(0)",
        "        return self.prompty(q=q)",
      ].join("\n"),
    });
    const flow = await openFlow(dir, { connections, llm, python, environment: { ...process.env, LOCAL_BASE: server.openAiBaseUrl, LOCAL_KEY: apiKey } });
    const line = await flow.runLine({ q: "async?" }, { lineNumber: 0, signal });
    assert.deepEqual(line.outputs, { output: "answer to async? after 1 messages" }, JSON.stringify(line.error));
    const request = server.requests[server.requests.length - 1];
    assert.equal(request.flavor, "openai");
    assert.equal(request.model, "local-model");
    const unset = await openFlow(dir, { connections, llm, python, environment: process.env });
    const failed = await unset.runLine({ q: "x" }, { lineNumber: 0, signal });
    assert.match(failed.error?.message ?? "", /needs environment variable LOCAL_BASE, which is not set/);
  });

  it("follows prompt flow's flex details: sample init and inputs, environment_variables, dataclass results in __aggregate__", async () => {
    const dir = writeFlowDir({
      "flow.flex.yaml": "entry: app:Flow\nenvironment_variables:\n  GREETING: hej\nsample: ${file:./sample.json}\n",
      "sample.json": JSON.stringify({ init: { prefix: "from-sample" }, inputs: { name: "sampled" } }),
      "app.py": [
        "import os",
        "from dataclasses import dataclass",
        "@dataclass",
        "class Out:",
        "    text: str",
        "    size: int",
        "class Flow:",
        "    def __init__(self, prefix: str):",
        "        self.prefix = prefix",
        "    def __call__(self, name: str) -> Out:",
        "        text = '%s %s %s' % (os.environ['GREETING'], self.prefix, name)",
        "        return Out(text=text, size=len(text))",
        "    def __aggregate__(self, results: list) -> dict:",
        "        return {'total_size': sum(r.size for r in results)}",
      ].join("\n"),
    });
    const flow = await openFlow(dir, { environment: process.env, connections, llm, python });
    const sampled = await flow.runLine({}, { lineNumber: 0, signal });
    assert.deepEqual(sampled.outputs, { text: "hej from-sample sampled", size: 23 });
    const given = await flow.runLine({ name: "ann" }, { lineNumber: 1, signal });
    assert.deepEqual(given.outputs, { text: "hej from-sample ann", size: 19 });
    const metrics = await flow.aggregate([sampled, given].map((line, lineNumber) => ({ lineNumber, inputs: {}, aggregationInputs: line.aggregationInputs })));
    assert.deepEqual(metrics, { metrics: { total_size: 42 } });
    const explicit = await openFlow(dir, { environment: process.env, connections, llm, python, init: { prefix: "given" } });
    assert.equal((await explicit.runLine({ name: "x" }, { lineNumber: 0, signal })).outputs.text, "hej given x");
  });

  it("runs a function flex flow, collecting a generator output and streaming its chunks on request", async () => {
    const flow = await openFlow(path.join(kinds, "function_flex"), { environment: process.env, connections, llm, python });
    const chunks: string[] = [];
    const line = await flow.runLine({ text: "hey", times: "3" }, { lineNumber: 0, signal, onChunk: (chunk) => chunks.push(chunk) });
    assert.deepEqual(line.outputs, { output: "HEY HEY HEY" });
    assert.deepEqual(chunks, ["HEY", " ", "HEY", " ", "HEY"]);
    const missing = await flow.runLine({}, { lineNumber: 1, signal });
    assert.equal(missing.error?.type, "InputError");
  });

  it("runs a prompty with JSON output directly, keeping its declared outputs", async () => {
    const flow = await openFlow(path.join(kinds, "prompty_json"), { environment: process.env, connections, llm, python });
    assert.equal(flow.interface.kind, "prompty");
    const line = await flow.runLine({ ticket: "my invoice is wrong" }, { lineNumber: 0, signal });
    assert.deepEqual(line.outputs, { category: "billing", confidence: 0.9 });
    const request = server.requests[server.requests.length - 1];
    assert.deepEqual(request.body.response_format, { type: "json_object" });
    assert.match(String((request.body.messages as { content: string }[])[0]?.content), /written in English/);
  });

  it("takes a prompty's sample as its signature and its inputs when a call brings none", async () => {
    const dir = writeFlowDir({
      "sampled.prompty": [
        "---",
        "model:",
        "  api: chat",
        "  configuration: {type: azure_openai, azure_deployment: gpt, connection: aoai}",
        "sample: ${file:sample.json}",
        "---",
        "system:",
        "Help {{firstName}}.",
        "{% for item in chat_history %}",
        "{{item.role}}:",
        "{{item.content}}",
        "{% endfor %}",
        "user:",
        "{{question}}",
      ].join("\n"),
      "sample.json": JSON.stringify({ firstName: "Ada", question: "1+1?", chat_history: [{ role: "user", content: "hi" }, { role: "Assistant", content: "hello" }] }),
    });
    const flow = await openFlow(dir, { environment: process.env, connections, llm, python });
    assert.deepEqual(flow.interface.inputs.map((i) => [i.name, i.type, i.required]), [["firstName", "string", false], ["question", "string", false], ["chat_history", "list", false]]);
    const line = await flow.runLine({}, { lineNumber: 0, signal });
    assert.equal(line.outputs.output, "answer to 1+1? after 4 messages");
    const messages = server.requests[server.requests.length - 1].body.messages as { role: string; content: string }[];
    assert.deepEqual(messages.map((m) => m.role), ["system", "user", "assistant", "user"]);
    assert.equal(messages[0].content, "Help Ada.");
  });

  it("serves a Prompty call from a DAG python tool through the engine, its tokens counted in the line", async () => {
    const dir = writeFlowDir({
      "flow.dag.yaml": "inputs: {q: {type: string}}\noutputs: {a: {type: string, reference: '${ask.output}'}}\nnodes:\n- {name: ask, type: python, source: {type: code, path: ask.py}, inputs: {q: '${inputs.q}'}}\n",
      "ask.prompty": "---\nmodel:\n  api: chat\n  configuration: {type: azure_openai, azure_deployment: gpt, connection: aoai}\n---\nuser:\n{{q}}\n",
      "ask.py": "from pathlib import Path\nfrom promptflow.core import tool\nfrom promptflow.core._flow import Prompty\n\n@tool\ndef ask(q: str) -> str:\n    return Prompty.load(source=Path(__file__).parent / 'ask.prompty')(q=q).upper()\n",
    });
    const flow = await openFlow(dir, { environment: process.env, connections, llm, python });
    const line = await flow.runLine({ q: "dag?" }, { lineNumber: 0, signal });
    assert.deepEqual(line.outputs, { a: "ANSWER TO DAG? AFTER 1 MESSAGES" }, JSON.stringify(line.error));
    assert.ok(line.usage.totalTokens > 0);
  });

  it("runs a DAG chat flow, rendering prompt flow's chat history (inputs/outputs per turn) into messages", async () => {
    const flow = await openFlow(path.join(kinds, "chat_dag"), { environment: process.env, connections, llm, python });
    assert.deepEqual(flow.interface.chat, { input: "question", history: "chat_history", output: "answer" });
    const history = [{ inputs: { question: "hi" }, outputs: { answer: "hello" } }];
    const line = await flow.runLine({ question: "and now?", chat_history: history }, { lineNumber: 0, signal });
    assert.equal(line.outputs.answer, "answer to and now? after 4 messages");
    const messages = server.requests[server.requests.length - 1].body.messages as { role: string; content: string }[];
    assert.deepEqual(messages.slice(1).map((m) => [m.role, m.content]), [["user", "hi"], ["assistant", "hello"], ["user", "and now?"]]);
  });

  it("gives a python tool typed connection parameters prompt flow's connection objects, never echoing their secrets", async () => {
    const flow = await openFlow(path.join(kinds, "connection_tool"), { environment: process.env, connections, llm, python });
    const line = await flow.runLine({ ticket: "my parcel is late" }, { lineNumber: 0, signal });
    assert.equal(line.status, "Completed", JSON.stringify(line.error));
    assert.deepEqual(line.outputs.routed, {
      queue: "tier-2",
      endpoint: "https://crm.example",
      has_token: true,
      model_base: server.url,
      model_type: "azure",
      model_version: "2024-06-01",
      has_key: true,
      ticket_words: 4,
    });
    const printed = line.nodeRuns[0]?.stdout ?? "";
    assert.match(printed, /calling https:\/\/crm\.example with token \*\*\*/);
    assert.doesNotMatch(JSON.stringify(line), /crm-secret-token-987|fake-key-flow-kinds/);
  });

  it("runs prompt flow's embedding and LLM package tools natively, and refuses other package tools before running", async () => {
    const flow = await openFlow(path.join(kinds, "package_tools"), { environment: process.env, connections, llm, python });
    const line = await flow.runLine({ question: "What is RAG?" }, { lineNumber: 0, signal });
    assert.equal(line.status, "Completed", JSON.stringify(line.error));
    assert.deepEqual(line.outputs, { answer: "answer to What is RAG? (8 dimensions) after 2 messages", dimensions: 8 });
    const embedding = server.requests.find((r) => r.api === "embedding")!;
    assert.equal(embedding.model, "text-embedding-3-small");
    assert.equal(embedding.body.input, "What is RAG?");
    const chat = server.requests[server.requests.length - 1];
    assert.equal(chat.body.max_tokens, 64);
    const dir = writeFlowDir({
      "flow.dag.yaml": "inputs: {q: {type: string}}\noutputs: {}\nnodes:\n- {name: search, type: python, source: {type: package, tool: promptflow.tools.serpapi.SerpAPI.search}, inputs: {query: '${inputs.q}'}}\n",
    });
    await assert.rejects(openFlow(dir, { environment: process.env, connections, llm, python }), (err: unknown) =>
      err instanceof UserError && /nodes\[0\]\(search\)\.source\.tool: expected a package tool this runner implements .*copy its code into the flow folder.*found package tool 'promptflow\.tools\.serpapi\.SerpAPI\.search'/.test(err.message),
    );
  });
});
