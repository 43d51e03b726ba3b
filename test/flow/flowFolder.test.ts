import { strict as assert } from "node:assert";
import * as path from "node:path";
import { UserError } from "../../src/core/userError";
import { flowChecksOf, locateFlow, readFlowInterface } from "../../src/flow/flowFolder";
import { parsePromptyText } from "../../src/flow/promptyFile";
import { cleanupFlowDirs, writeFlowDir } from "./support";

const chatPrompty = `
---
name: Chat
model:
  api: chat
  configuration: {type: azure_openai, azure_deployment: gpt-4o, connection: aoai}
inputs:
  question: {type: string, is_chat_input: true}
  chat_history: {type: list, default: []}
---
system:
You answer.
user:
{{question}}
`;

describe("flow folder reader", () => {
  after(cleanupFlowDirs);

  it("tells the kind from the definition file, .yml spellings included", () => {
    const dag = writeFlowDir({ "flow.dag.yml": "inputs: {}\noutputs: {}\nnodes: []\n" });
    const flex = writeFlowDir({ "flow.flex.yml": "entry: app:run\n", "app.py": "def run(x: str):\n    return x\n" });
    const prompty = writeFlowDir({ "chat.prompty": chatPrompty });
    assert.deepEqual(locateFlow(dag, "--flow"), { kind: "dag", dir: dag, file: path.join(dag, "flow.dag.yml") });
    assert.equal(locateFlow(flex, "--flow").kind, "flex");
    assert.deepEqual(locateFlow(prompty, "--flow"), { kind: "prompty", dir: prompty, file: path.join(prompty, "chat.prompty") });
    assert.deepEqual(locateFlow(path.join(prompty, "chat.prompty"), "--flow").kind, "prompty");
  });

  it("refuses folders that hold two definitions or none, naming where the flow was referenced", () => {
    const both = writeFlowDir({ "flow.dag.yaml": "nodes: []\n", "flow.flex.yaml": "entry: a:b\n" });
    const none = writeFlowDir({ "a.prompty": chatPrompty, "b.prompty": chatPrompty });
    assert.throws(() => locateFlow(both, "experiment.yaml: $.flow"), (err: unknown) => err instanceof UserError && /^experiment\.yaml: \$\.flow: .*flow\.dag\.yaml and flow\.flex\.yaml; keep one/.test(err.message));
    assert.throws(() => locateFlow(none, "--flow"), (err: unknown) => err instanceof UserError && /several \.prompty files \(a\.prompty, b\.prompty\)/.test(err.message));
    assert.throws(() => locateFlow(`${none}-missing`, "--flow"), (err: unknown) => err instanceof UserError && /not found/.test(err.message));
  });

  it("reads a class flex entry's inputs, init and aggregate from the Python source without running it", () => {
    const dir = writeFlowDir({
      "flow.flex.yaml": [
        "entry: app:Flow",
        "inputs:",
        "  question: {type: string, default: What is it?}",
        "  chat_history: {type: list, default: ''}",
        "init:",
        "  model_config: {type: AzureOpenAIModelConfiguration, default: {azure_deployment: x, api_key: '${api_key}'}}",
        "  max_total_token: {type: int, default: 4096}",
      ].join("\n"),
      "init.json": JSON.stringify({ model_config: { connection: "aoai", azure_deployment: "gpt" } }),
      // Running this module would fail: the reader must only parse it.
      "app.py": [
        "raise SystemExit('imported')",
        "class Flow:",
        "    def __init__(self, model_config, max_total_token=4096):",
        "        pass",
        "    async def __call__(self, question: str, chat_history: list = None) -> str:",
        "        return question",
        "    def __aggregate__(self, line_results):",
        "        return {}",
      ].join("\n"),
    });
    const flow = readFlowInterface(dir, "--flow", { environment: process.env });
    assert.equal(flow.kind, "flex");
    const { entry, file, kind, isAsync, hasAggregate, initFromFile } = flow.flex!;
    assert.deepEqual({ entry, file, kind, isAsync, hasAggregate, initFromFile }, {
      entry: "app:Flow",
      file: path.join(dir, "app.py"),
      kind: "class",
      isAsync: true,
      hasAggregate: true,
      initFromFile: { model_config: { connection: "aoai", azure_deployment: "gpt" } },
    });
    assert.deepEqual(flow.inputs.map((i) => [i.name, i.type, i.required, i.default]), [
      ["question", "string", false, "What is it?"],
      // default '' means "the Python default", as prompt flow reads it.
      ["chat_history", "list", false, undefined],
    ]);
    assert.deepEqual(flow.outputs.map((o) => o.name), ["output"]);
    assert.deepEqual(flow.init.map((p) => [p.name, p.required]), [["model_config", false], ["max_total_token", false]]);
    assert.deepEqual(flow.initValues, { model_config: { connection: "aoai", azure_deployment: "gpt" }, max_total_token: 4096 });
    assert.deepEqual(flow.connections, { aoai: "init.model_config" });
  });

  it("leaves a flex entry's outputs open when the code decides them, and takes dataclass fields when typed", () => {
    const open = writeFlowDir({ "flow.flex.yaml": "entry: app:run\n", "app.py": "def run(answer: str, statements: dict):\n    return {}\n" });
    const typed = writeFlowDir({
      "flow.flex.yaml": "entry: pkg.app:run\n",
      "pkg/__init__.py": "",
      "pkg/app.py": "from dataclasses import dataclass\n@dataclass\nclass Result:\n    answer: str\n    score: float\n\ndef run(q: str) -> Result:\n    return Result(q, 1.0)\n",
    });
    const openFlow = readFlowInterface(open, "--flow", { environment: process.env });
    assert.equal(openFlow.outputsDeclared, false);
    assert.deepEqual(openFlow.inputs.map((i) => [i.name, i.type, i.required]), [["answer", "string", true], ["statements", "object", true]]);
    const typedFlow = readFlowInterface(typed, "--flow", { environment: process.env });
    assert.deepEqual(typedFlow.outputs.map((o) => o.name), ["answer", "score"]);
    assert.equal(typedFlow.outputsDeclared, true);
  });

  it("reads a flex entry's signature with the PYTHON of the environment it is given", () => {
    const dir = writeFlowDir({ "flow.flex.yaml": "entry: app:run\n", "app.py": "def run(q: str):\n    return q\n" });
    const missing = path.join(dir, "no-such-python");
    assert.throws(
      () => readFlowInterface(dir, "--flow", { environment: { ...process.env, PYTHON: missing } }),
      (err: unknown) => err instanceof UserError && err.message.includes(`could not run '${missing}'`),
    );
    const saved = process.env.PYTHON;
    process.env.PYTHON = missing;
    try {
      const { PYTHON: _ignored, ...withoutPython } = process.env;
      assert.deepEqual(readFlowInterface(dir, "--flow", { environment: withoutPython }).inputs.map((i) => i.name), ["q"], "this process's PYTHON is not consulted");
    } finally {
      if (saved === undefined) delete process.env.PYTHON;
      else process.env.PYTHON = saved;
    }
    assert.deepEqual(readFlowInterface(dir, "--flow", { entrySignature: false }).inputs, [], "without an environment, only what flow.flex.yaml declares");
  });

  it("names a missing entry as a config error of flow.flex.yaml", () => {
    const dir = writeFlowDir({ "flow.flex.yaml": "entry: app:Missing\n", "app.py": "def run():\n    pass\n" });
    assert.throws(() => readFlowInterface(dir, "--flow", { environment: process.env }), (err: unknown) => err instanceof UserError && /flow\.flex\.yaml: \$\.entry: .*defines no top-level function or class 'Missing'/.test(err.message));
  });

  it("reads a prompty's inputs, connection and chat roles; its output is `output`", () => {
    const dir = writeFlowDir({ "chat.prompty": chatPrompty });
    const flow = readFlowInterface(dir, "--flow", { environment: process.env });
    assert.deepEqual(flow.inputs.map((i) => [i.name, i.required]), [["question", true], ["chat_history", false]]);
    assert.deepEqual(flow.outputs.map((o) => o.name), ["output"]);
    assert.deepEqual(flow.connections, { aoai: "model.configuration" });
    assert.deepEqual(flow.chat, { input: "question", history: "chat_history", output: "output" });
    const parsed = parsePromptyText(chatPrompty, "chat.prompty");
    assert.equal(parsed.bodyLine, 11);
    assert.match(parsed.body, /^system:/);
  });

  it("reads a DAG's chat roles and the connections of every node and variant", () => {
    const dir = writeFlowDir({
      "flow.dag.yaml": [
        "inputs:",
        "  question: {type: string, is_chat_input: true}",
        "  chat_history: {type: list, is_chat_history: true, default: []}",
        "outputs:",
        "  answer: {type: string, reference: '${chat.output}', is_chat_output: true}",
        "nodes:",
        "- {name: chat, type: llm, source: {type: code, path: chat.jinja2}, connection: aoai, api: chat, inputs: {}}",
        "- {name: embed, type: python, source: {type: package, tool: promptflow.tools.embedding.embedding}, connection: emb, inputs: {}}",
        "- {name: summary, use_variants: true}",
        "node_variants:",
        "  summary:",
        "    default_variant_id: v1",
        "    variants:",
        "      v1: {node: {type: prompt, source: {type: code, path: v1.jinja2}, inputs: {}}}",
        "      v2: {node: {type: llm, source: {type: code, path: v2.jinja2}, connection: other, inputs: {}}}",
      ].join("\n"),
      "tool.py": "x = 1\n",
    });
    const flow = readFlowInterface(dir, "--flow", { environment: process.env });
    assert.deepEqual(flow.chat, { input: "question", history: "chat_history", output: "answer" });
    assert.deepEqual(flow.connections, { aoai: "chat", emb: "embed", other: "summary.v2" });
    const checks = flowChecksOf(flow);
    assert.deepEqual(checks.templates.map((t) => [path.basename(t.file), t.kind]), [["chat.jinja2", "jinja2"], ["v1.jinja2", "jinja2"], ["v2.jinja2", "jinja2"]]);
    assert.deepEqual(checks.pythonFiles, [path.join(dir, "tool.py")]);
  });
});
