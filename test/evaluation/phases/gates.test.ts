import * as assert from "node:assert/strict";
import { createMetricsEntry, parseGates, type MetricsEntry, type MetricsFile } from "../../../src/evaluation";
import { deployedVsPre } from "../../../src/evaluation/phases";
import { regressionResults, thresholdResults } from "../../../src/evaluation/phases/gatePolicy";

function flowEntry(variant: string, evaluator: string, metrics: Record<string, number>): MetricsEntry {
  return createMetricsEntry({ dataset: "eval", evaluator, variant, target: { kind: "flow" }, metrics, lines: 10, failed: 0 });
}
function deployedEntry(deployment: string, evaluator: string, metrics: Record<string, number>): MetricsEntry {
  return createMetricsEntry({ dataset: "eval", evaluator, variant: "classify.zero_shot", target: { kind: "deployment", endpoint: "ep", deployment }, metrics, lines: 10, failed: 0 });
}
function file(phase: MetricsFile["phase"], targets: MetricsEntry[]): MetricsFile {
  return { version: 1, phase, run_id: `${phase}-1`, created_at: "2026-11-24T10:00:00.000Z", targets, gates: [] };
}

describe("evaluationRun: which results gate", () => {
  const entries = [flowEntry("zero", "acc", { accuracy: 0.8 }), flowEntry("few", "acc", { accuracy: 0.6 })];
  const gating = (entry: MetricsEntry): boolean => entry.variant === "zero";

  it("decides on the gating entries and shows the others as not gating, saying what they would have been", () => {
    const results = thresholdResults(parseGates(["accuracy >= 0.7"]), entries, gating, (entry) => `variant ${entry.variant} is not deployed`);
    assert.deepEqual(results.map((r) => [r.target_label, r.passed, r.skipped === true]), [["zero", true, false], ["few", true, true]]);
    assert.equal(results[1].reason, "not gating, variant few is not deployed: accuracy = 0.6 on few, required >= 0.7 (would fail)");
  });

  it("shows a regression on a non-gating entry as what it would have been, without FAILED", () => {
    const baseline = file("pre", [flowEntry("zero", "acc", { accuracy: 0.8 }), flowEntry("few", "acc", { accuracy: 0.9 })]);
    const results = regressionResults(baseline, { ...file("pre", []), run_id: "pre-2" }, entries, { max_drop: 0.05, metrics: ["accuracy"] }, gating, () => "not deployed");
    assert.deepEqual(results.map((r) => [r.target_label, r.passed, r.skipped === true]), [["zero", true, false], ["few", true, true]]);
    assert.equal(results[1].reason, "not gating, not deployed: 0.9 -> 0.6 (drop +0.3, allowed 0.05) (would fail)");
  });

  it("fails a gate whose metric no gating entry has, even when a non-gating entry has it", () => {
    const onlyFew = [flowEntry("zero", "other", { f1: 1 }), flowEntry("few", "acc", { accuracy: 0.9 })];
    const results = thresholdResults(parseGates(["acc.accuracy >= 0.7"]), onlyFew, gating, () => "shown");
    assert.equal(results.filter((r) => !r.passed).length, 1);
    assert.match(results[0].reason, /missing from the results/);
  });
});

describe("evaluationRun: deployed vs pre-deployment", () => {
  const pre = file("pre", [flowEntry("classify.zero_shot", "acc", { accuracy: 0.9, f1: 0.8 }), flowEntry("classify.zero_shot", "run", { p95_latency_ms: 100 }), flowEntry("classify.few_shot", "acc", { accuracy: 0.99 })]);
  const policy = { max_drop: 0.05, metrics: ["acc.accuracy"] };

  it("passes a deployment as good as or better than its variant before deployment, fails a drop beyond max_drop", () => {
    const green = deployedEntry("green", "acc", { accuracy: 0.93, f1: 0.5 });
    const blue = deployedEntry("blue", "acc", { accuracy: 0.8 });
    const latency = deployedEntry("green", "run", { p95_latency_ms: 900 });
    const current = file("post", [green, blue, latency]);
    const result = deployedVsPre(pre, current, [green, blue, latency], policy);
    assert.deepEqual(result.gates.map((g) => [g.target_label, g.kind, g.passed, g.baseline, g.actual]), [
      ["ep:green (classify.zero_shot)", "deployed_vs_pre", true, 0.9, 0.93],
      ["ep:blue (classify.zero_shot)", "deployed_vs_pre", false, 0.9, 0.8],
    ]);
    assert.match(result.gates[1].gate, /^deployed vs pre-deployment: eval\/acc\.accuracy drops at most 0\.05$/);
    // Side by side, one table per deployment; operational metrics (latency) are not compared.
    assert.deepEqual(result.tables.map((t) => t.title), ["Deployed vs pre-deployment: ep:green (classify.zero_shot)", "Deployed vs pre-deployment: ep:blue (classify.zero_shot)"]);
    assert.ok(result.tables.every((t) => t.rows.every((row) => row.group === "eval/acc")));
    assert.equal(result.tables[0].rows.find((row) => row.metric === "f1")!.verdict, "worse");
    assert.deepEqual([result.tables[0].leftLabel, result.tables[0].rightLabel], ["pre-deployment (pre-1)", "deployed"]);
  });

  it("names the pre-deployment run, not a baseline, when it lacks a watched metric", () => {
    const green = deployedEntry("green", "acc", { accuracy: 0.93, recall: 0.7 });
    const result = deployedVsPre(pre, file("post", [green]), [green], { max_drop: 0.05, metrics: ["acc.recall"] });
    assert.deepEqual(result.gates.map((g) => [g.gate, g.kind, g.skipped, g.reason]), [
      ["deployed vs pre-deployment: eval/acc.recall drops at most 0.05", "deployed_vs_pre", true, "no pre-deployment value in run pre-1: nothing to compare"],
    ]);
  });

  it("relative tolerance, and no gates without a regression policy", () => {
    const green = deployedEntry("green", "acc", { accuracy: 0.86 });
    const relative = deployedVsPre(pre, file("post", [green]), [green], { ...policy, mode: "relative" });
    assert.equal(relative.gates[0].passed, true); // 0.04 / 0.9 = 4.4% <= 5%
    assert.deepEqual(deployedVsPre(pre, file("post", [green]), [green], undefined).gates, []);
  });

  it("fails clearly when the pre-deployment run has no result for the served variant", () => {
    const other = createMetricsEntry({ dataset: "eval", evaluator: "acc", variant: "classify.other", target: { kind: "deployment", endpoint: "ep", deployment: "g" }, metrics: { accuracy: 1 }, lines: 1, failed: 0 });
    const result = deployedVsPre(pre, file("post", [other]), [other], policy);
    assert.equal(result.gates.length, 1);
    assert.equal(result.gates[0].passed, false);
    assert.match(result.gates[0].reason, /no results for variant classify\.other/);
  });
});
