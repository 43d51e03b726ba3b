import assert from "node:assert/strict";
import { loadFlow } from "../../src/flow/loadFlow";
import { resolveVariants, variantLabelText } from "../../src/flow/variants";
import { UserError } from "../../src/core/userError";
import { cleanupFlowDirs, writeFlowDir } from "./support";

const FLOW = `
inputs: {text: {type: string}}
outputs: {a: {type: string, reference: "\${summarize.output}"}}
nodes:
- {name: summarize, use_variants: true}
- {name: tone, use_variants: true}
node_variants:
  summarize:
    default_variant_id: s0
    variants:
      s0: {node: {type: llm, source: {type: code, path: a.jinja2}, inputs: {text: "\${inputs.text}", temperature: '0.1'}, connection: aoai, api: chat}}
      s1: {node: {type: llm, source: {type: code, path: b.jinja2}, inputs: {text: "\${inputs.text}", temperature: '0.9'}, connection: aoai, api: chat}}
  tone:
    default_variant_id: t0
    variants:
      t0: {node: {type: prompt, source: {type: code, path: a.jinja2}, inputs: {text: "\${summarize.output}"}}}
      t1: {node: {type: prompt, source: {type: code, path: b.jinja2}, inputs: {text: "\${summarize.output}"}}}
      t2: {node: {type: prompt, source: {type: code, path: b.jinja2}, inputs: {text: "\${inputs.text}"}}}
`;

describe("flow/variants", () => {
  after(cleanupFlowDirs);
  const load = () => loadFlow(writeFlowDir({ "flow.dag.yaml": FLOW, "a.jinja2": "user:\n{{text}}", "b.jinja2": "user:\nB {{text}}" }));

  it("default: one flow with every node on its default variant", () => {
    const runs = resolveVariants(load(), "default");
    assert.equal(runs.length, 1);
    assert.deepEqual(runs[0].label, { summarize: "s0", tone: "t0" });
    assert.equal(variantLabelText(runs[0].label), "summarize.s0,tone.t0");
    const summarize = runs[0].flow.nodes[0];
    assert.equal(summarize.type, "llm");
    assert.deepEqual(summarize.inputs.temperature, { kind: "literal", value: "0.1" });
  });

  it("all: each variant of each node with the others on defaults, the all-defaults case once", () => {
    const runs = resolveVariants(load(), "all");
    assert.deepEqual(
      runs.map((r) => r.label),
      [
        { summarize: "s0", tone: "t0" },
        { summarize: "s1", tone: "t0" },
        { summarize: "s0", tone: "t1" },
        { summarize: "s0", tone: "t2" },
      ],
    );
    const s1 = runs[1].flow.nodes.find((n) => n.name === "summarize");
    assert.deepEqual(s1?.source, { type: "code", path: "b.jinja2" });
    assert.equal(s1?.variantId, "s1");
    assert.deepEqual(s1?.inputs.temperature, { kind: "literal", value: "0.9" });
  });

  it("product: the Cartesian product, defaults first", () => {
    const runs = resolveVariants(load(), "product");
    assert.equal(runs.length, 6);
    assert.deepEqual(runs[0].label, { summarize: "s0", tone: "t0" });
    const labels = new Set(runs.map((r) => variantLabelText(r.label)));
    assert.equal(labels.size, 6);
    assert.ok(labels.has("summarize.s1,tone.t2"));
  });

  it("one explicit selection, in our spelling or prompt flow's ${node.variant}", () => {
    const [run] = resolveVariants(load(), "tone.t2");
    assert.deepEqual(run.label, { summarize: "s0", tone: "t2" });
    assert.deepEqual(run.flow.nodes[1].inputs.text, { kind: "input", name: "text", text: "${inputs.text}" });
    const [pf] = resolveVariants(load(), "${summarize.s1},tone.t1");
    assert.deepEqual(pf.label, { summarize: "s1", tone: "t1" });
  });

  it("refuses an unknown node or variant id, listing what exists", () => {
    const flow = load();
    assert.throws(() => resolveVariants(flow, "summarize.s7"), (e: unknown) => e instanceof UserError && /no variant 's7' \(variants: s0, s1\)/.test(e.message));
    assert.throws(() => resolveVariants(flow, "ghost.s0"), (e: unknown) => e instanceof UserError && /node 'ghost' has no variants/.test(e.message));
    assert.throws(() => resolveVariants(flow, "nonsense"), (e: unknown) => e instanceof UserError && /expected default, all, product/.test(e.message));
  });

  it("a flow without variants yields one run labelled default", () => {
    const dir = writeFlowDir({ "flow.dag.yaml": "nodes:\n- {name: p, type: prompt, source: {type: code, path: a.jinja2}, inputs: {}}\n", "a.jinja2": "x" });
    const runs = resolveVariants(loadFlow(dir), "all");
    assert.equal(runs.length, 1);
    assert.equal(variantLabelText(runs[0].label), "default");
  });
});
