import assert from "node:assert/strict";
import { UserError } from "../../src/core/userError";
import { createBuiltinEvaluator } from "../../src/evaluation/evaluators/builtin";
import { evaluateLines } from "../../src/evaluation/evaluators/evaluateLines";
import { resolveMappings } from "../../src/evaluation/evaluators/mapping";
import { percentile, runMetrics } from "../../src/evaluation/evaluators/runMetrics";
import { tokenF1 } from "../../src/evaluation/evaluators/tokenF1";
import { checkJson } from "../../src/evaluation/evaluators/jsonValid";
import type { Evaluator, RunLine } from "../../src/evaluation/types";

function line(lineNumber: number, outputs: Record<string, unknown>, data?: Record<string, unknown>, extra: Partial<RunLine> = {}): RunLine {
  return { lineNumber, status: "Completed", inputs: {}, outputs, ...(data ? { data } : {}), ...extra };
}

const predictionAndReference = { prediction: "${run.outputs.answer}", reference: "${data.truth}" };

async function scoreOne(evaluator: Evaluator, outputs: Record<string, unknown>, data?: Record<string, unknown>) {
  const result = await evaluateLines(evaluator, [line(0, outputs, data)]);
  return result.lines[0];
}

describe("evaluation: exact_match", () => {
  const evaluator = createBuiltinEvaluator({ name: "exact", builtin: "exact_match", mappings: predictionAndReference });

  it("ignores case and surrounding or repeated whitespace by default", async () => {
    assert.equal((await scoreOne(evaluator, { answer: "  Billing\n" }, { truth: "billing" })).scores.exact_match, 1);
    assert.equal((await scoreOne(evaluator, { answer: "tech  support" }, { truth: "Tech support" })).scores.exact_match, 1);
    assert.equal((await scoreOne(evaluator, { answer: "billing" }, { truth: "shipping" })).scores.exact_match, 0);
  });

  it("is strict when normalisation is turned off", async () => {
    const strict = createBuiltinEvaluator({ name: "strict", builtin: "exact_match", mappings: predictionAndReference, params: { ignore_case: false, ignore_whitespace: false } });
    assert.equal((await scoreOne(strict, { answer: "Billing" }, { truth: "billing" })).scores.exact_match, 0);
    assert.equal((await scoreOne(strict, { answer: "billing " }, { truth: "billing" })).scores.exact_match, 0);
  });

  it("treats empty strings as equal and compares unicode after NFKC normalisation", async () => {
    assert.equal((await scoreOne(evaluator, { answer: "" }, { truth: "" })).scores.exact_match, 1);
    // "é" composed vs "e" + combining acute; full-width letters vs ASCII.
    assert.equal((await scoreOne(evaluator, { answer: "caf\u00e9" }, { truth: "cafe\u0301" })).scores.exact_match, 1);
    assert.equal((await scoreOne(evaluator, { answer: "ＢＩＬＬＩＮＧ" }, { truth: "billing" })).scores.exact_match, 1);
    assert.equal((await scoreOne(evaluator, { answer: "日本語" }, { truth: "日本語" })).scores.exact_match, 1);
  });

  it("reports a missing reference as a line error, left out of the mean", async () => {
    const result = await evaluateLines(evaluator, [line(0, { answer: "a" }, { truth: "a" }), line(1, { answer: "b" }, {}), line(2, { answer: "c" }, { truth: "x" })]);
    assert.equal(result.lines[1].error, "reference is missing");
    assert.equal(result.metrics.exact_match, 0.5);
    assert.equal(result.metrics.error_lines, 1);
    assert.equal(result.metrics.scored_lines, 2);
  });

  it("compares numbers and booleans by their text", async () => {
    assert.equal((await scoreOne(evaluator, { answer: 42 }, { truth: "42" })).scores.exact_match, 1);
    assert.equal((await scoreOne(evaluator, { answer: true }, { truth: "TRUE" })).scores.exact_match, 1);
  });
});

describe("evaluation: token F1", () => {
  it("follows SQuAD normalisation: case, punctuation and articles do not count", () => {
    assert.equal(tokenF1("The Eiffel Tower!", "eiffel tower"), 1);
    assert.equal(tokenF1("a refund, please", "refund please"), 1);
  });

  it("scores partial overlap by precision and recall", () => {
    // prediction 4 tokens, reference 2, common 2: p = 0.5, r = 1, f1 = 2/3.
    assert.ok(Math.abs(tokenF1("refund my late order", "late order") - 2 / 3) < 1e-12);
    assert.equal(tokenF1("completely different", "late order"), 0);
  });

  it("counts repeated tokens only as often as the reference has them", () => {
    // prediction: order order order (3), reference: order (1): p = 1/3, r = 1, f1 = 0.5.
    assert.equal(tokenF1("order order order", "order"), 0.5);
  });

  it("handles empty answers: both empty agree, one empty scores 0", () => {
    assert.equal(tokenF1("", ""), 1);
    assert.equal(tokenF1("the", ""), 1); // only an article: empty after normalisation
    assert.equal(tokenF1("", "answer"), 0);
    assert.equal(tokenF1("answer", ""), 0);
  });

  it("strips unicode punctuation and keeps non-ASCII words", () => {
    assert.equal(tokenF1("«Zürich»", "zürich"), 1);
    assert.equal(tokenF1("¿Dónde está?", "dónde está"), 1);
    assert.equal(tokenF1("theé", "theé"), 1); // not mistaken for the article "the"
  });

  it("aggregates the mean f1 over lines and flags a missing reference", async () => {
    const evaluator = createBuiltinEvaluator({ name: "f1", builtin: "f1", mappings: predictionAndReference });
    const result = await evaluateLines(evaluator, [line(0, { answer: "late order" }, { truth: "late order" }), line(1, { answer: "x" }, { truth: "y" }), line(2, { answer: "x" })]);
    assert.equal(result.metrics.f1, 0.5);
    assert.equal(result.lines[2].error, "reference is missing");
  });
});

describe("evaluation: regex, contains, json_valid", () => {
  it("regex matches the pattern with flags and rejects an invalid pattern up front", async () => {
    const evaluator = createBuiltinEvaluator({ name: "ticket_id", builtin: "regex", mappings: { prediction: "${run.outputs.answer}" }, params: { pattern: "^TCK-\\d{4}$", flags: "i" } });
    assert.equal((await scoreOne(evaluator, { answer: "tck-1234" })).scores.regex_match, 1);
    assert.equal((await scoreOne(evaluator, { answer: "TCK-12" })).scores.regex_match, 0);
    assert.equal((await scoreOne(evaluator, {})).error, "prediction is missing");
    assert.throws(() => createBuiltinEvaluator({ name: "bad", builtin: "regex", mappings: { prediction: "x" }, params: { pattern: "(" } }), /not a valid regular expression/);
    assert.throws(() => createBuiltinEvaluator({ name: "bad", builtin: "regex", mappings: { prediction: "x" }, params: {} }), /params.pattern/);
    assert.throws(() => createBuiltinEvaluator({ name: "bad", builtin: "regex", mappings: { prediction: "x" }, params: { pattern: "a", flags: "g" } }), /flags/);
  });

  it("contains checks fixed values with any/all, or the mapped reference", async () => {
    const all = createBuiltinEvaluator({ name: "c", builtin: "contains", mappings: { prediction: "${run.outputs.answer}" }, params: { value: ["refund", "3 days"] } });
    assert.equal((await scoreOne(all, { answer: "Your REFUND arrives in 3  days." })).scores.contains, 1);
    assert.equal((await scoreOne(all, { answer: "Your refund is on its way" })).scores.contains, 0);
    const any = createBuiltinEvaluator({ name: "c", builtin: "contains", mappings: { prediction: "${run.outputs.answer}" }, params: { value: ["refund", "3 days"], mode: "any" } });
    assert.equal((await scoreOne(any, { answer: "Your refund is on its way" })).scores.contains, 1);
    const byReference = createBuiltinEvaluator({ name: "c", builtin: "contains", mappings: predictionAndReference });
    assert.equal((await scoreOne(byReference, { answer: "category: Billing" }, { truth: "billing" })).scores.contains, 1);
    assert.equal((await scoreOne(byReference, { answer: "category: Billing" }, {})).error, "reference is missing");
    assert.throws(() => createBuiltinEvaluator({ name: "c", builtin: "contains", mappings: { prediction: "x" } }), /params.value or mappings.reference/);
  });

  it("json_valid accepts JSON text or structured outputs and checks required keys", async () => {
    const evaluator = createBuiltinEvaluator({ name: "j", builtin: "json_valid", mappings: { prediction: "${run.outputs.raw}" }, params: { required_keys: ["category", "confidence"] } });
    assert.equal((await scoreOne(evaluator, { raw: '{"category":"billing","confidence":0.9}' })).scores.json_valid, 1);
    assert.equal((await scoreOne(evaluator, { raw: { category: "billing", confidence: 0.9 } })).scores.json_valid, 1);
    const missing = await scoreOne(evaluator, { raw: '{"category":"billing"}' });
    assert.equal(missing.scores.json_valid, 0);
    assert.match(missing.reason ?? "", /missing keys: confidence/);
    const broken = await scoreOne(evaluator, { raw: '{"category": ' });
    assert.equal(broken.scores.json_valid, 0);
    assert.match(broken.reason ?? "", /not valid JSON/);
    assert.equal((await scoreOne(evaluator, { raw: "[1,2]" })).scores.json_valid, 0);
    assert.equal(checkJson("", []).valid, false);
    assert.equal(checkJson("null", []).valid, true);
    assert.equal(checkJson(undefined, []).valid, false);
  });

  it("names the missing mapping and the unknown builtin", () => {
    assert.throws(() => createBuiltinEvaluator({ name: "exact", builtin: "exact_match", mappings: { prediction: "x" } }), (err: unknown) => err instanceof UserError && /mappings.reference is missing/.test(err.message));
    assert.throws(() => createBuiltinEvaluator({ name: "e", builtin: "bleu" }), /unknown builtin 'bleu'/);
    assert.throws(() => createBuiltinEvaluator({ name: "e", builtin: "exact_match", mappings: predictionAndReference, params: { ignore_case: "yes" } }), /params.ignore_case: expected true or false/);
  });
});

describe("evaluation: mappings and line handling", () => {
  it("resolves run outputs, run inputs, data columns, nested paths and literals", () => {
    const fields = resolveMappings(
      { a: "${run.outputs.category}", b: "${run.inputs.ticket_text}", c: "${data.truth}", d: "${run.outputs.parsed.label}", e: "fixed", f: "${data.absent}" },
      { lineNumber: 0, status: "Completed", inputs: { ticket_text: "hi" }, outputs: { category: "billing", parsed: { label: "x" } }, data: { truth: "billing" } },
    );
    assert.deepEqual(fields, { a: "billing", b: "hi", c: "billing", d: "x", e: "fixed", f: undefined });
    const whole = resolveMappings({ all: "${run.outputs}" }, { lineNumber: 0, status: "Completed", inputs: {}, outputs: { category: "billing" } });
    assert.deepEqual(whole.all, { category: "billing" });
  });

  it("refuses a mistyped reference instead of comparing against it as a literal", () => {
    assert.throws(
      () => createBuiltinEvaluator({ name: "exact", builtin: "exact_match", mappings: { prediction: "${run.output.category}", reference: "${data.truth}" } }),
      (err: unknown) => err instanceof UserError && /mappings.prediction: '\$\{run.output.category\}' is not/.test(err.message),
    );
  });

  it("skips lines the run failed and turns a throwing evaluator into a line error", async () => {
    const throwing: Evaluator = {
      name: "boom",
      mappings: {},
      scoreLine: (_fields, runLine) => {
        if (runLine.lineNumber === 1) throw new Error("bad line");
        return { lineNumber: runLine.lineNumber, scores: { s: 1 } };
      },
      aggregate: (scores) => ({ count: scores.length }),
    };
    const result = await evaluateLines(throwing, [line(0, {}), line(1, {}), line(2, {}, undefined, { status: "Failed" })]);
    assert.equal(result.lines.length, 2);
    assert.equal(result.lines[1].error, "bad line");
    assert.equal(result.metrics.count, 2);
  });
});

describe("evaluation: run metrics", () => {
  it("computes interpolated latency percentiles", () => {
    assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
    assert.equal(percentile([5], 99), 5);
    const durations = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    const metrics = runMetrics(durations.map((ms, i) => line(i, {}, undefined, { durationMs: ms })));
    assert.equal(metrics.p50_latency_ms, 50.5);
    assert.ok(Math.abs(metrics.p90_latency_ms - 90.1) < 1e-9);
    assert.ok(Math.abs(metrics.p95_latency_ms - 95.05) < 1e-9);
    assert.ok(Math.abs(metrics.p99_latency_ms - 99.01) < 1e-9);
    assert.equal(metrics.mean_latency_ms, 50.5);
  });

  it("computes error rate and token sums and means", () => {
    const usage = (total: number) => ({ promptTokens: total - 2, completionTokens: 2, totalTokens: total });
    const metrics = runMetrics([
      line(0, {}, undefined, { usage: usage(10), durationMs: 100 }),
      line(1, {}, undefined, { usage: usage(20), durationMs: 300 }),
      line(2, {}, undefined, { status: "Failed", usage: usage(0) }),
      line(3, {}, undefined, { status: "Failed" }),
    ]);
    assert.equal(metrics.lines, 4);
    assert.equal(metrics.failed, 2);
    assert.equal(metrics.error_rate, 0.5);
    assert.equal(metrics.total_tokens, 30);
    assert.equal(metrics.prompt_tokens, 24);
    assert.equal(metrics.completion_tokens, 6);
    assert.equal(metrics.mean_total_tokens, 7.5);
    assert.equal(metrics.p50_latency_ms, 200);
  });

  it("leaves latency out when no line has a duration and reports 0 error rate for an empty run", () => {
    const metrics = runMetrics([]);
    assert.equal(metrics.error_rate, 0);
    assert.equal(metrics.p95_latency_ms, undefined);
  });
});
