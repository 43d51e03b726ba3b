import assert from "node:assert/strict";
import { loadFlow } from "../../src/flow/loadFlow";
import { ConfigError, UserError } from "../../src/core/userError";
import { cleanupFlowDirs, writeFlowDir } from "./support";

const TOOL = "from promptflow.core import tool\n\n@tool\ndef run(text: str) -> str:\n    return text\n";

function flowWith(yaml: string, extra: Record<string, string> = {}): string {
  return writeFlowDir({ "flow.dag.yaml": yaml, "echo.py": TOOL, "chat.jinja2": "user:\n{{ text }}\n", ...extra });
}

function assertConfigError(fn: () => unknown, pattern: RegExp): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `expected ConfigError, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  assert.match(caught.message, /flow\.dag\.yaml/);
  return caught;
}

describe("flow/loadFlow", () => {
  after(cleanupFlowDirs);

  it("loads typed inputs, defaults, references with nested keys, activate, aggregation and environment", () => {
    const dir = flowWith(`
inputs:
  text: {type: string, default: hi, is_chat_input: true}
  n: {type: int}
outputs:
  answer: {type: string, reference: "\${echo.output.a.b}"}
  raw: {type: string, reference: "\${inputs.text}"}
nodes:
- name: echo
  type: python
  source: {type: code, path: echo.py}
  inputs: {text: "\${inputs.text}", fixed: "see \${inputs.text}"}
  activate: {when: "\${inputs.n}", is: 1}
- name: agg
  type: python
  source: {type: code, path: echo.py}
  inputs: {text: "\${echo.output}"}
  aggregation: true
environment: {python_requirements_txt: requirements.txt}
environment_variables: {MODE: test, RETRIES: 3}
`);
    const flow = loadFlow(dir);
    assert.deepEqual(flow.inputs.text, { name: "text", type: "string", default: "hi", isChatInput: true });
    assert.equal(flow.inputs.n.default, undefined);
    assert.deepEqual(flow.outputs.answer.source, { kind: "node", node: "echo", path: ["a", "b"], text: "${echo.output.a.b}" });
    const echo = flow.nodes[0];
    assert.deepEqual(echo.inputs.text, { kind: "input", name: "text", text: "${inputs.text}" });
    // Only a whole-string ${...} is a reference.
    assert.deepEqual(echo.inputs.fixed, { kind: "literal", value: "see ${inputs.text}" });
    assert.deepEqual(echo.activate?.is, 1);
    assert.equal(flow.nodes[1].aggregation, true);
    assert.deepEqual(flow.environmentVariables, { MODE: "test", RETRIES: "3" });
    assert.equal(flow.environment.pythonRequirementsTxt, "requirements.txt");
  });

  it("refuses a reference to an unknown node, naming the node and the reference", () => {
    const dir = flowWith(`
inputs: {text: {type: string}}
outputs: {}
nodes:
- {name: a, type: python, source: {type: code, path: echo.py}, inputs: {text: "\${ghost.output}"}}
`);
    const err = assertConfigError(() => loadFlow(dir), /unknown node 'ghost'/);
    assert.match(err.jsonPath, /nodes\[0\]\(a\)\.inputs\.text/);
  });

  it("refuses a reference to an undeclared flow input", () => {
    const dir = flowWith(`
inputs: {text: {type: string}}
nodes:
- {name: a, type: python, source: {type: code, path: echo.py}, inputs: {text: "\${inputs.txt}"}}
`);
    assertConfigError(() => loadFlow(dir), /unknown flow input in \$\{inputs\.txt\}/);
  });

  it("refuses a malformed reference", () => {
    const dir = flowWith(`
nodes:
- {name: a, type: python, source: {type: code, path: echo.py}, inputs: {text: "\${a.outputs}"}}
`);
    assertConfigError(() => loadFlow(dir), /expected \$\{inputs\.<name>\}, \$\{<node>\.output\}/);
  });

  it("names the cycle", () => {
    const dir = flowWith(`
inputs: {text: {type: string}}
nodes:
- {name: a, type: python, source: {type: code, path: echo.py}, inputs: {text: "\${c.output}"}}
- {name: b, type: python, source: {type: code, path: echo.py}, inputs: {text: "\${a.output}"}}
- {name: c, type: python, source: {type: code, path: echo.py}, inputs: {text: "\${b.output}"}}
`);
    assertConfigError(() => loadFlow(dir), /a cycle: a -> c -> b -> a/);
  });

  it("refuses a missing template or tool file", () => {
    const dir = flowWith(`
nodes:
- {name: a, type: prompt, source: {type: code, path: missing.jinja2}, inputs: {}}
`);
    assertConfigError(() => loadFlow(dir), /missing file 'missing\.jinja2'/);
  });

  it("refuses a package tool, naming it, instead of skipping the node", () => {
    const dir = flowWith(`
nodes:
- {name: search, type: python, source: {type: package, tool: promptflow_vectordb.tool.vector_db_lookup.VectorDBLookup.search}, inputs: {}}
`);
    assertConfigError(() => loadFlow(dir), /package tool 'promptflow_vectordb\.tool\.vector_db_lookup\.VectorDBLookup\.search'/);
  });

  it("refuses an unsupported node type", () => {
    const dir = flowWith(`
nodes:
- {name: a, type: custom_llm, source: {type: code, path: echo.py}, inputs: {}}
`);
    assertConfigError(() => loadFlow(dir), /nodes\[0\]\(a\)\.type: expected a supported node type \(llm, prompt, python\)/);
  });

  it("refuses duplicate node names", () => {
    const dir = flowWith(`
nodes:
- {name: a, type: python, source: {type: code, path: echo.py}, inputs: {}}
- {name: a, type: python, source: {type: code, path: echo.py}, inputs: {}}
`);
    assertConfigError(() => loadFlow(dir), /a second node named 'a'/);
  });

  it("refuses an output that references an unknown node", () => {
    const dir = flowWith(`
outputs: {x: {type: string, reference: "\${nowhere.output}"}}
nodes:
- {name: a, type: python, source: {type: code, path: echo.py}, inputs: {}}
`);
    const err = assertConfigError(() => loadFlow(dir), /unknown node 'nowhere'/);
    assert.equal(err.jsonPath, "outputs.x.reference");
  });

  it("refuses a line node reading an aggregation node", () => {
    const dir = flowWith(`
nodes:
- {name: agg, type: python, source: {type: code, path: echo.py}, inputs: {}, aggregation: true}
- {name: b, type: python, source: {type: code, path: echo.py}, inputs: {text: "\${agg.output}"}}
`);
    assertConfigError(() => loadFlow(dir), /node 'b' reads aggregation node 'agg'/);
  });

  it("refuses a default variant id that does not exist", () => {
    const dir = flowWith(`
nodes:
- {name: chat, use_variants: true}
node_variants:
  chat:
    default_variant_id: variant_9
    variants:
      variant_0: {node: {type: llm, source: {type: code, path: chat.jinja2}, inputs: {}, connection: aoai, api: chat}}
`);
    assertConfigError(() => loadFlow(dir), /default_variant_id: expected one of the variant ids \(variant_0\)/);
  });

  it("checks every variant's files and references, not only the default", () => {
    const dir = flowWith(`
inputs: {text: {type: string}}
nodes:
- {name: chat, use_variants: true}
node_variants:
  chat:
    default_variant_id: variant_0
    variants:
      variant_0: {node: {type: llm, source: {type: code, path: chat.jinja2}, inputs: {text: "\${inputs.text}"}, connection: aoai}}
      variant_1: {node: {type: llm, source: {type: code, path: chat.jinja2}, inputs: {text: "\${inputs.question}"}, connection: aoai}}
`);
    const err = assertConfigError(() => loadFlow(dir), /unknown flow input in \$\{inputs\.question\}/);
    assert.match(err.jsonPath, /node_variants\.chat\.variants\.variant_1/);
  });

  it("refuses a use_variants node without node_variants", () => {
    const dir = flowWith(`
nodes:
- {name: chat, use_variants: true}
`);
    assertConfigError(() => loadFlow(dir), /a node_variants entry named 'chat'/);
  });

  it("reports invalid YAML and a missing folder as user errors", () => {
    const dir = flowWith("nodes: [\n");
    assertConfigError(() => loadFlow(dir), /valid YAML/);
    assert.throws(() => loadFlow(`${dir}-nope`), (err: unknown) => err instanceof UserError && /not found/.test(err.message));
  });
});
