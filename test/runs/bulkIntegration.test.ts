import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runBulk } from "../../src/runs/bulk";
import { createFlowExecutor } from "../../src/flow/executor";
import { loadFlow } from "../../src/flow/loadFlow";
import { createPythonPool, type PythonPool } from "../../src/flow/pythonPool";
import { resolveVariants, variantLabelText } from "../../src/flow/variants";
import { AOAI, FakeLlm } from "../flow/support";

/** The flow engine as the bulk runner's LineExecutor: records, summaries and metrics from aggregation nodes. */
const FLOWS_DIR = path.resolve(__dirname, "../../flows");
const hasSamples = fs.existsSync(path.join(FLOWS_DIR, "ticket_classification_eval", "flow.dag.yaml"));

describe("flow/executor with the bulk runner", function () {
  this.timeout(120000);
  let python: PythonPool;
  let runRoot: string;
  before(function () {
    if (!hasSamples) this.skip();
    python = createPythonPool({ environment: process.env });
    runRoot = fs.mkdtempSync(path.join(os.tmpdir(), "flow-bulk-"));
  });
  after(async () => {
    await python?.close();
    if (runRoot) fs.rmSync(runRoot, { recursive: true, force: true });
  });

  it("runs every classifier variant over the bulk dataset and then evaluates a run with metrics", async () => {
    const classifier = loadFlow(path.join(FLOWS_DIR, "support_ticket_classifier"));
    const runs = resolveVariants(classifier, "all");
    const llm = new FakeLlm(() => JSON.stringify({ category: "billing", confidence: 0.8 }));
    const summaries = [];
    for (const run of runs) {
      const executor = createFlowExecutor({ environment: process.env, flow: run.flow, connections: { aoai: AOAI }, llm, python });
      const runDir = path.join(runRoot, variantLabelText(run.label));
      summaries.push(
        await runBulk({
          data: path.join(FLOWS_DIR, "data", "bulk.jsonl"),
          executor,
          runDir,
          labels: run.label,
          columnMapping: { ticket_text: "${data.ticket_text}", customer_tier: "${data.customer_tier}" },
          inputNames: Object.keys(run.flow.inputs),
          concurrency: 8,
        }),
      );
    }
    for (const summary of summaries) {
      assert.equal(summary.failed, 0, JSON.stringify(summary));
      assert.ok(summary.completed >= 40);
      assert.ok(summary.usage.total > 0);
    }

    const evaluation = loadFlow(path.join(FLOWS_DIR, "ticket_classification_eval"));
    const evalExecutor = createFlowExecutor({ environment: process.env, flow: evaluation, connections: {}, llm, python });
    const evalSummary = await runBulk({
      data: path.join(FLOWS_DIR, "data", "eval.jsonl"),
      executor: evalExecutor,
      runDir: path.join(runRoot, "eval"),
      columnMapping: { category: "billing", ground_truth: "${data.category}" },
      inputNames: Object.keys(evaluation.inputs),
    });
    assert.equal(evalSummary.failed, 0);
    assert.equal(evalSummary.aggregation_error, undefined);
    const accuracy = evalSummary.metrics.accuracy;
    assert.equal(typeof accuracy, "number");
    // Every prediction is "billing": accuracy is the share of billing tickets in the labelled data.
    const labels = fs.readFileSync(path.join(FLOWS_DIR, "data", "eval.jsonl"), "utf8").split("\n").filter((l) => l.trim());
    const billingShare = labels.filter((l) => (JSON.parse(l) as { category: string }).category === "billing").length / labels.length;
    assert.ok(Math.abs(Number(accuracy) - billingShare) < 1e-9, `accuracy ${String(accuracy)} vs ${billingShare}`);
  });

  it("keeps what each python tool printed in the line's record, per node, also when the tool fails", async () => {
    const dir = path.join(runRoot, "printing-flow");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, "flow.dag.yaml"),
      [
        "inputs:",
        "  n:",
        "    type: int",
        "outputs:",
        "  doubled:",
        "    type: int",
        "    reference: ${check.output}",
        "nodes:",
        "- name: double",
        "  type: python",
        "  source: {type: code, path: double.py}",
        "  inputs:",
        "    n: ${inputs.n}",
        "- name: check",
        "  type: python",
        "  source: {type: code, path: check.py}",
        "  inputs:",
        "    value: ${double.output}",
        "",
      ].join("\n"),
    );
    fs.writeFileSync(path.join(dir, "double.py"), 'from promptflow.core import tool\n\n@tool\ndef double(n: int) -> int:\n    print(f"doubling {n}")\n    return n * 2\n');
    fs.writeFileSync(
      path.join(dir, "check.py"),
      'from promptflow.core import tool\n\n@tool\ndef check(value: int) -> int:\n    print(f"checking {value}")\n    if value > 4:\n        raise ValueError("too big")\n    return value\n',
    );
    const data = path.join(dir, "data.jsonl");
    fs.writeFileSync(data, `${JSON.stringify({ n: 1 })}\n${JSON.stringify({ n: 3 })}\n`);
    const executor = createFlowExecutor({ environment: process.env, flow: loadFlow(dir), connections: {}, llm: new FakeLlm(() => ""), python });
    const runDir = path.join(runRoot, "printing");
    const summary = await runBulk({ data, executor, runDir });
    assert.equal(summary.failed, 1, fs.readFileSync(path.join(runDir, "records.jsonl"), "utf8"));
    const records = fs
      .readFileSync(path.join(runDir, "outputs.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { status: string; printed?: Record<string, string> });
    assert.deepEqual(records[0].printed, { double: "doubling 1\n", check: "checking 2\n" });
    assert.equal(records[1].status, "Failed");
    assert.deepEqual(records[1].printed, { double: "doubling 3\n", check: "checking 6\n" });
  });
});
