import assert from "node:assert/strict";
import { UserError } from "../../src/core/userError";
import { abComparison, baselineComparison } from "../../src/evaluation/comparison";
import { evaluateGates, allPassed } from "../../src/evaluation/gates/evaluateGates";
import { parseGate, parseGates } from "../../src/evaluation/gates/gate";
import { lowerIsBetter } from "../../src/evaluation/gates/metricRef";
import { metricDrop, regressionGates } from "../../src/evaluation/gates/regression";
import { forPeople } from "../../src/evaluation/phases/comparisonRows";
import { deploymentEntry, flowEntry, metricsFile } from "./fixtures";

describe("evaluation: gate parsing", () => {
  it("parses unqualified, evaluator- and dataset-qualified metrics with every operator", () => {
    assert.deepEqual(parseGate("accuracy >= 0.8"), { source: "accuracy >= 0.8", metric: { metric: "accuracy" }, operator: ">=", threshold: 0.8 });
    assert.deepEqual(parseGate("ticket_classification_eval.accuracy > .75").metric, { evaluator: "ticket_classification_eval", metric: "accuracy" });
    assert.deepEqual(parseGate("eval/exact.exact_match<=1").metric, { dataset: "eval", evaluator: "exact", metric: "exact_match" });
    assert.deepEqual(parseGate("eval_flow.precision.billing == 1").metric, { evaluator: "eval_flow", metric: "precision.billing" });
    assert.equal(parseGate("run.p95_latency_ms < 3e3").threshold, 3000);
    assert.equal(parseGate("  error_rate <= 0.02 ").operator, "<=");
    assert.equal(parseGate("delta >= -0.5").threshold, -0.5);
  });

  const invalid: [string, RegExp][] = [
    ["", /it is empty/],
    ["accuracy", /no comparison operator/],
    ["accuracy 0.8", /no comparison operator/],
    ["accuracy => 0.8", /operator '=>' is not supported/],
    ["accuracy = 0.8", /operator '=' is not supported/],
    ["accuracy != 0.8", /operator '!=' is not supported/],
    [">= 0.8", /metric name is missing/],
    ["accuracy >=", /threshold number is missing/],
    ["accuracy >= high", /threshold 'high' is not a number/],
    ["accuracy >= 80%", /as a fraction/],
    ["accuracy >= 0.8 <= 1", /more than one comparison operator/],
    ["acc uracy >= 0.8", /must be letters, digits/],
    ["eval/accuracy >= 0.8", /needs an evaluator too/],
    [".accuracy >= 0.8", /evaluator name ''/],
    ["accuracy >= 0.8 and", /not a number/],
  ];
  for (const [text, message] of invalid) {
    it(`rejects '${text}' with a UserError saying why`, () => {
      assert.throws(() => parseGate(text), (err: unknown) => err instanceof UserError && message.test(err.message) && err.message.includes("gates"));
    });
  }

  it("names the position of a bad gate in the list", () => {
    assert.throws(() => parseGates(["accuracy >= 0.8", "f1 >> 2"]), /gates\[1\]/);
  });
});

describe("evaluation: gate evaluation", () => {
  const entries = [
    flowEntry("eval", "exact", "zero_shot", { exact_match: 0.85 }),
    flowEntry("eval", "exact", "few_shot", { exact_match: 0.75 }),
    flowEntry("eval", "run", "zero_shot", { error_rate: 0.01, p95_latency_ms: 1200 }),
    flowEntry("bulk", "exact", "zero_shot", { exact_match: 0.95 }),
  ];

  it("checks an unqualified gate on every entry that has the metric", () => {
    const results = evaluateGates([parseGate("exact_match >= 0.8")], entries);
    assert.deepEqual(results.map((r) => [r.target_id, r.actual, r.passed]), [
      ["eval/exact@zero_shot", 0.85, true],
      ["eval/exact@few_shot", 0.75, false],
      ["bulk/exact@zero_shot", 0.95, true],
    ]);
    assert.match(results[1].reason, /exact_match = 0.75 on few_shot, required >= 0.8: FAILED/);
    assert.equal(allPassed(results), false);
  });

  it("narrows by dataset and evaluator", () => {
    const results = evaluateGates([parseGate("bulk/exact.exact_match >= 0.9"), parseGate("run.p95_latency_ms <= 3000")], entries);
    assert.equal(results.length, 2);
    assert.ok(allPassed(results));
  });

  it("fails a gate whose metric is missing, saying so and listing what exists", () => {
    const [result] = evaluateGates([parseGate("accuracy >= 0.8")], entries);
    assert.equal(result.passed, false);
    assert.equal(result.actual, undefined);
    assert.match(result.reason, /metric 'accuracy' is missing from the results \(available: .*eval\/exact.exact_match/);
    const [wrongDataset] = evaluateGates([parseGate("prod/exact.exact_match >= 0.8")], entries);
    assert.equal(wrongDataset.passed, false);
  });

  it("never passes a gate on an entry whose lines all failed: the metric measures nothing", () => {
    const allFailed = [{ ...flowEntry("eval", "run", "v", { p95_latency_ms: 3, error_rate: 1 }), failed: 40 }, { ...flowEntry("eval", "exact", "v", { exact_match: 1 }), failed: 40 }];
    const results = evaluateGates([parseGate("p95_latency_ms <= 3000"), parseGate("exact_match >= 0.5"), parseGate("error_rate <= 1")], allFailed);
    assert.deepEqual(results.map((r) => r.passed), [false, false, false]);
    assert.match(results[0].reason, /FAILED \(all 40 lines failed\)/);
    const oneSucceeded = [{ ...flowEntry("eval", "exact", "v", { exact_match: 1 }), failed: 39 }];
    assert.ok(allPassed(evaluateGates([parseGate("exact_match >= 0.5")], oneSucceeded)));
  });

  it("compares boundaries exactly, with float tolerance for sums", () => {
    const sum = [flowEntry("d", "e", "v", { m: 0.1 + 0.2 })];
    assert.ok(evaluateGates([parseGate("m == 0.3"), parseGate("m >= 0.3"), parseGate("m <= 0.3")], sum).every((r) => r.passed));
    assert.ok(evaluateGates([parseGate("m > 0.3"), parseGate("m < 0.3")], sum).every((r) => !r.passed));
  });
});

describe("evaluation: baseline regression", () => {
  const baseline = metricsFile("pre", "pre-1", [
    flowEntry("eval", "exact", "few_shot", { exact_match: 0.9, f1: 0.8 }),
    flowEntry("eval", "run", "few_shot", { p95_latency_ms: 1000, error_rate: 0 }),
  ]);

  it("knows which metrics are better lower", () => {
    for (const metric of ["p95_latency_ms", "mean_latency_ms", "error_rate", "total_tokens", "judge_tokens", "failed"]) assert.ok(lowerIsBetter(metric), metric);
    for (const metric of ["accuracy", "exact_match", "relevance", "f1", "tokens_saved_ratio"]) assert.ok(!lowerIsBetter(metric), metric);
    assert.ok(lowerIsBetter("low_confidence_rate", ["low_confidence_rate"]));
  });

  it("computes drops direction-aware: a higher latency or error rate is worse, a higher accuracy is better", () => {
    assert.ok(Math.abs(metricDrop("exact_match", 0.9, 0.86, {}).drop - 0.04) < 1e-12);
    assert.ok(metricDrop("exact_match", 0.9, 0.95, {}).drop < 0);
    assert.equal(metricDrop("p95_latency_ms", 1000, 1100, {}).drop, 100);
    assert.equal(metricDrop("p95_latency_ms", 1000, 900, {}).drop, -100);
    assert.ok(Math.abs(metricDrop("p95_latency_ms", 1000, 1100, { mode: "relative" }).drop - 0.1) < 1e-12);
    assert.equal(metricDrop("error_rate", 0, 0.02, { mode: "relative" }).drop, 0.02); // from 0: absolute
  });

  it("fails the metrics that dropped more than max_drop and passes improvements", () => {
    const current = metricsFile("pre", "pre-2", [
      flowEntry("eval", "exact", "few_shot", { exact_match: 0.8, f1: 0.85 }),
      flowEntry("eval", "run", "few_shot", { p95_latency_ms: 1040, error_rate: 0 }),
    ]);
    const results = regressionGates(baseline, current, { max_drop: 0.05, metrics: ["exact_match", "f1", "run.error_rate"] });
    const byMetric = Object.fromEntries(results.map((r) => [r.metric, r]));
    assert.equal(byMetric["eval/exact.exact_match"].passed, false);
    assert.match(byMetric["eval/exact.exact_match"].reason, /0.9 -> 0.8 \(drop \+0.1, allowed 0.05\): FAILED/);
    assert.equal(byMetric["eval/exact.f1"].passed, true);
    assert.equal(byMetric["eval/run.error_rate"].passed, true);
    assert.equal(results.length, 3);
  });

  it("catches a latency regression in relative mode and lets a latency improvement pass", () => {
    const slower = metricsFile("pre", "pre-2", [flowEntry("eval", "run", "few_shot", { p95_latency_ms: 1300, error_rate: 0 })]);
    const faster = metricsFile("pre", "pre-3", [flowEntry("eval", "run", "few_shot", { p95_latency_ms: 600, error_rate: 0 })]);
    const policy = { max_drop: 0.2, mode: "relative" as const, metrics: ["p95_latency_ms"] };
    assert.equal(regressionGates(baseline, slower, policy)[0].passed, false);
    assert.equal(regressionGates(baseline, faster, policy)[0].passed, true);
  });

  it("skips entries without a baseline, fails metrics that disappeared, and checks everything shared when metrics is empty", () => {
    const current = metricsFile("pre", "pre-2", [
      flowEntry("eval", "exact", "few_shot", { f1: 0.8 }),
      flowEntry("eval", "exact", "new_variant", { exact_match: 0.5 }),
    ]);
    const results = regressionGates(baseline, current, { max_drop: 0.05, metrics: ["exact.exact_match"] });
    const missingNow = results.find((r) => r.target_id === "eval/exact@few_shot")!;
    assert.equal(missingNow.passed, false);
    assert.match(missingNow.reason, /missing now but the baseline had 0.9/);
    const noBaseline = results.find((r) => r.target_id === "eval/exact@new_variant")!;
    assert.equal(noBaseline.passed, true);
    assert.equal(noBaseline.skipped, true);
    const everything = regressionGates(baseline, metricsFile("pre", "pre-2", [flowEntry("eval", "exact", "few_shot", { exact_match: 0.9, f1: 0.7, new_metric: 1 })]), { max_drop: 0.05, metrics: [] });
    assert.deepEqual(everything.map((r) => [r.metric, r.passed]), [["eval/exact.exact_match", true], ["eval/exact.f1", false]]);
  });

  it("fails a watched metric that no current entry has at all", () => {
    const results = regressionGates(baseline, metricsFile("pre", "pre-2", []), { max_drop: 0.05, metrics: ["accuracy"] });
    assert.equal(results.length, 1);
    assert.equal(results[0].passed, false);
  });

  it("rejects a bad policy", () => {
    assert.throws(() => regressionGates(baseline, baseline, { max_drop: -1, metrics: [] }), /max_drop/);
    assert.throws(() => regressionGates(baseline, baseline, { max_drop: 0.1, metrics: ["bad metric"] }), /regression.metrics\[0\]/);
  });
});

describe("evaluation: A/B and deployed vs pre-deployment tables", () => {
  const post = metricsFile("post", "post-1", [
    deploymentEntry("blue", "few_shot", "exact", { exact_match: 0.9, error_rate: 0.0 }),
    deploymentEntry("green", "zero_shot", "exact", { exact_match: 0.7, error_rate: 0.05 }),
  ]);

  it("puts prior and current deployments side by side with deltas and direction-aware verdicts", () => {
    const table = abComparison(post, "ticket-ep", "green", "blue");
    assert.equal(table.leftLabel, "green");
    assert.deepEqual(
      table.rows.map((row) => [row.metric, row.left, row.right, row.verdict]),
      [["error_rate", 0.05, 0, "better"], ["exact_match", 0.7, 0.9, "better"]],
    );
    assert.ok(Math.abs(table.rows[1].delta! - 0.2) < 1e-12);
    assert.deepEqual(abComparison(post, "ticket-ep", "green", "red").rows, []);
  });

  it("calls a difference within a metric's noise the same, a count neither better nor worse, and lists gated metrics first", () => {
    const ab = metricsFile("post", "post-2", [
      deploymentEntry("green", "zero_shot", "run", { p95_latency_ms: 1200, mean_total_tokens: 300, lines_scored: 40, accuracy: 0.8 }),
      deploymentEntry("blue", "few_shot", "run", { p95_latency_ms: 1201, mean_total_tokens: 301, lines_scored: 44, accuracy: 0.9 }),
    ]);
    const table = abComparison(ab, "ticket-ep", "green", "blue");
    const verdicts = Object.fromEntries(table.rows.map((row) => [row.metric, row.verdict]));
    assert.deepEqual(verdicts, { accuracy: "better", lines_scored: "changed", mean_total_tokens: "same", p95_latency_ms: "same" });
    assert.equal(lowerIsBetter("lines_scored"), false);
    const ordered = forPeople([parseGate("p95_latency_ms <= 3000")])(table);
    assert.deepEqual(ordered.rows.map((row) => row.metric), ["p95_latency_ms", "accuracy", "mean_total_tokens"]);
  });


  it("lines up the current run against its baseline per variant, direction-aware", () => {
    const baseline = metricsFile("pre", "pre-1", [flowEntry("eval", "exact", "few_shot", { exact_match: 0.9 }), flowEntry("eval", "run", "few_shot", { p95_latency_ms: 1000 })]);
    const current = metricsFile("pre", "pre-2", [
      flowEntry("eval", "exact", "few_shot", { exact_match: 0.85 }),
      flowEntry("eval", "run", "few_shot", { p95_latency_ms: 800 }),
      flowEntry("eval", "exact", "brand_new", { exact_match: 1 }),
    ]);
    const tables = baselineComparison(baseline, current);
    assert.equal(tables.length, 1);
    assert.equal(tables[0].title, "Against baseline pre-1: few_shot");
    assert.deepEqual(tables[0].rows.map((row) => [row.group, row.metric, row.verdict]), [
      ["eval/exact", "exact_match", "worse"],
      ["eval/run", "p95_latency_ms", "better"],
    ]);
  });
});
