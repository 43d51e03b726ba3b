import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { streamedAnswerNode } from "../../src/flow/answerStream";
import { createFlowExecutor, type FlowExecutor } from "../../src/flow/executor";
import { loadFlow } from "../../src/flow/loadFlow";
import { createPythonPool, type PythonPool } from "../../src/flow/pythonPool";
import { createLlmInvoker } from "../../src/llm/invoker";
import { azureConnectionTo, startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fakeOpenAiServer";
import { cleanupFlowDirs, lineContext, writeFlowDir } from "./support";

const answer = "Your ticket is about a failed payment";
const prompt = "system:\nYou answer.\nuser:\n{{question}}\n";
const slowTool = "import time\nfrom promptflow import tool\n\n@tool\ndef run(question, fail=False):\n    time.sleep(0.3)\n    if fail:\n        raise ValueError('the lookup failed')\n    return len(question)\n";

/** A chat flow whose answer comes from `answer_node`, plus whatever `extra` adds (nodes, outputs). */
function chatFlow(extra: { nodes?: string; outputs?: string; answerSource?: string } = {}): string {
  return writeFlowDir({
    "flow.dag.yaml": `
inputs:
  question: {type: string, is_chat_input: true}
  fail: {type: bool, default: false}
outputs:
  answer: {type: string, reference: "${extra.answerSource ?? "${answer_node.output}"}", is_chat_output: true}
  length: {type: int, reference: "\${lookup.output}"}
${extra.outputs ?? ""}
nodes:
- name: answer_node
  type: llm
  source: {type: code, path: chat.jinja2}
  inputs: {deployment_name: gpt-4o-mini, question: "\${inputs.question}"}
  connection: aoai
  api: chat
- name: lookup
  type: python
  source: {type: code, path: lookup.py}
  inputs: {question: "\${inputs.question}", fail: "\${inputs.fail}"}
${extra.nodes ?? ""}
`,
    "chat.jinja2": prompt,
    "lookup.py": slowTool,
  });
}

/** A chat flow of one LLM node, `answer_node`: its source lines and its inputs besides the question. */
function answerOnlyFlow(source: string, inputs: string): string {
  return writeFlowDir({
    "flow.dag.yaml": `
inputs:
  question: {type: string, is_chat_input: true}
outputs:
  answer: {type: string, reference: "\${answer_node.output}", is_chat_output: true}
nodes:
- name: answer_node
  type: llm
  ${source}
  inputs: {${inputs}, question: "\${inputs.question}"}
`,
    "chat.jinja2": prompt,
  });
}

describe("flow: a DAG chat flow's answer streams from its LLM node", function () {
  this.timeout(30000);
  let server: FakeOpenAiServer;
  let python: PythonPool;
  const executors: FlowExecutor[] = [];
  before(async () => {
    server = await startFakeOpenAiServer({ apiKey: "k-stream", answer: () => answer, chunkDelayMs: 10 });
    python = createPythonPool({ size: 2, environment: process.env });
  });
  beforeEach(() => {
    server.requests.length = 0;
  });
  after(async () => {
    for (const executor of executors) await executor.close?.();
    await python.close();
    await server.close();
    cleanupFlowDirs();
  });

  function executor(dir: string): FlowExecutor {
    const exec = createFlowExecutor({ environment: process.env, flow: loadFlow(dir), connections: { aoai: azureConnectionTo(server, "k-stream") }, llm: createLlmInvoker(), python });
    executors.push(exec);
    return exec;
  }

  it("streams only an LLM node that feeds the chat output directly and that nothing else reads", () => {
    assert.deepEqual(streamedAnswerNode(loadFlow(chatFlow())), { node: "answer_node", output: "answer" });
    assert.equal(streamedAnswerNode(loadFlow(chatFlow({ answerSource: "${lookup.output}" }))), undefined, "a python answer");
    assert.equal(streamedAnswerNode(loadFlow(chatFlow({ outputs: '  copy: {type: string, reference: "${answer_node.output}"}' }))), undefined, "read by another output");
    const readByNode = chatFlow({ nodes: '- name: after\n  type: python\n  source: {type: code, path: lookup.py}\n  inputs: {question: "${answer_node.output}"}' });
    assert.equal(streamedAnswerNode(loadFlow(readByNode)), undefined, "read by another node");
    const notChat = (yaml: string): string => writeFlowDir({ "flow.dag.yaml": yaml.replace(/ is_chat_input: true| is_chat_output: true/g, ""), "chat.jinja2": prompt, "lookup.py": slowTool });
    const readFlowYaml = (dir: string): string => fs.readFileSync(path.join(dir, "flow.dag.yaml"), "utf8");
    assert.deepEqual(streamedAnswerNode(loadFlow(notChat(readFlowYaml(chatFlow())))), { node: "answer_node", output: "answer" }, "prompt flow streams any output an LLM node feeds");
    const twoAnswers = chatFlow({ nodes: '- name: second\n  type: llm\n  source: {type: code, path: chat.jinja2}\n  inputs: {deployment_name: gpt-4o-mini, question: "${inputs.question}"}\n  connection: aoai\n  api: chat', outputs: '  second: {type: string, reference: "${second.output}"}' });
    assert.deepEqual(streamedAnswerNode(loadFlow(twoAnswers)), { node: "answer_node", output: "answer" }, "the chat output first");
    assert.equal(streamedAnswerNode(loadFlow(notChat(readFlowYaml(twoAnswers)))), undefined, "two outputs to stream: prompt flow refuses, nothing streams");
    assert.equal(streamedAnswerNode(loadFlow(chatFlow({ answerSource: "${lookup.output}", outputs: '  raw: {type: string, reference: "${answer_node.output}"}' }))), undefined, "a chat flow streams its chat output only");
    const packageTool = answerOnlyFlow("source: {type: package, tool: promptflow.tools.aoai.AzureOpenAI.chat}", 'connection: aoai, deployment_name: gpt-4o-mini, prompt: "user:\\n{{question}}"');
    assert.deepEqual(streamedAnswerNode(loadFlow(packageTool)), { node: "answer_node", output: "answer" });
  });

  it("with onChunk: the other outputs first, then the answer's pieces; the outcome keeps the whole answer and its usage", async () => {
    const events: unknown[] = [];
    const outcome = await executor(chatFlow()).runLine(
      { question: "What is my ticket about?" },
      { ...lineContext(), onStreamStart: (others) => events.push({ others }), onChunk: (chunk) => events.push(chunk) },
    );
    assert.equal(outcome.status, "Completed", JSON.stringify(outcome.error));
    assert.deepEqual(events[0], { others: { length: 24 } });
    assert.equal(events.slice(1).join(""), answer);
    assert.equal(events.length, 1 + answer.split(" ").length);
    assert.deepEqual(outcome.outputs, { answer, length: 24 });
    assert.ok(outcome.usage.totalTokens > 0);
    assert.equal(server.requests[0].body.stream, true);
  });

  it("without onChunk (bulk runs) and for an answer another node reads, the model is not asked to stream", async () => {
    const plain = await executor(chatFlow()).runLine({ question: "q" }, lineContext());
    assert.equal(plain.outputs.answer, answer);
    const readByNode = chatFlow({ nodes: '- name: after\n  type: python\n  source: {type: code, path: lookup.py}\n  inputs: {question: "${answer_node.output}"}', outputs: '  after: {type: int, reference: "${after.output}"}' });
    const chunks: string[] = [];
    const outcome = await executor(readByNode).runLine({ question: "q" }, { ...lineContext(), onChunk: (chunk) => chunks.push(chunk) });
    assert.equal(outcome.status, "Completed", JSON.stringify(outcome.error));
    assert.deepEqual(chunks, []);
    assert.deepEqual(server.requests.map((request) => request.body.stream), [undefined, undefined]);
  });

  it("a line whose other node fails sends nothing: no start, no piece", async () => {
    const events: unknown[] = [];
    const outcome = await executor(chatFlow()).runLine(
      { question: "q", fail: true },
      { ...lineContext(), onStreamStart: (others) => events.push(others), onChunk: (chunk) => events.push(chunk) },
    );
    assert.equal(outcome.status, "Failed");
    assert.match(outcome.error?.message ?? "", /the lookup failed/);
    assert.deepEqual(events, []);
  });

  it("an error mid-stream fails the line with the server's message after the pieces already sent", async () => {
    const answerOnly = answerOnlyFlow("source: {type: code, path: chat.jinja2}\n  connection: aoai\n  api: chat", "deployment_name: gpt-4o-mini");
    server.fail({ kind: "streamError", afterChunks: 2 });
    const chunks: string[] = [];
    const outcome = await executor(answerOnly).runLine({ question: "q" }, { ...lineContext(), onChunk: (chunk) => chunks.push(chunk) });
    assert.equal(outcome.status, "Failed");
    assert.equal(outcome.error?.node, "answer_node");
    assert.match(outcome.error?.message ?? "", /stream failed mid-answer/);
    assert.deepEqual(chunks, ["Your", " ticket"]);
  });
});
