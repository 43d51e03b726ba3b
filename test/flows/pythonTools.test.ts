/** The flows' Python tools run with python3 directly, promptflow shimmed (see pythonTools.ts). */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { callTool, runPythonTools } from "./pythonTools";

const flowsDir = path.resolve(__dirname, "../../flows");
const classifier = (file: string): string => path.join(flowsDir, "support_ticket_classifier", file);
const classificationEval = (file: string): string => path.join(flowsDir, "ticket_classification_eval", file);
const productionEval = (file: string): string => path.join(flowsDir, "ticket_production_eval", file);

function results(file: string, kwargsList: Record<string, unknown>[]): unknown[] {
  return runPythonTools(kwargsList.map((kwargs) => ({ file, kwargs }))).map((outcome) => {
    if (outcome.error) throw new Error(outcome.error);
    return outcome.result;
  });
}

describe("support_ticket_classifier tools", () => {
  it("parse_classification reads clean, fenced and chatty JSON answers", () => {
    const answers = results(classifier("parse_classification.py"), [
      { llm_output: '{"category": "billing", "confidence": 0.93}' },
      { llm_output: 'Sure! Here you go:\n```json\n{"category": "Outage", "confidence": "0.8"}\n```' },
      { llm_output: 'The answer is {"category": "technical", "confidence": 0.7} based on the error.' },
    ]);
    assert.deepEqual(answers, [
      { category: "billing", confidence: 0.93, parsed: true },
      { category: "outage", confidence: 0.8, parsed: true },
      { category: "technical", confidence: 0.7, parsed: true },
    ]);
  });

  it("parse_classification normalises confidences given as percentages, large numbers or junk", () => {
    const answers = results(classifier("parse_classification.py"), [
      { llm_output: '{"category": "account", "confidence": "85%"}' },
      { llm_output: '{"category": "account", "confidence": 90}' },
      { llm_output: '{"category": "account", "confidence": "very"}' },
      { llm_output: '{"category": "account", "confidence": -3}' },
      { llm_output: '{"category": "account", "confidence": true}' },
      { llm_output: '{"category": "account"}' },
    ]) as { confidence: number }[];
    assert.deepEqual(answers.map((answer) => answer.confidence), [0.85, 0.9, 0, 0, 0, 0]);
  });

  it("parse_classification maps synonyms, accepts a bare word at low confidence and falls back to other", () => {
    const answers = results(classifier("parse_classification.py"), [
      { llm_output: '{"category": "Refund", "confidence": 0.6}' },
      { llm_output: "Category: shipping" },
      { llm_output: '{"category": "weather", "confidence": 0.99}' },
      { llm_output: "" },
      { llm_output: null },
    ]);
    assert.deepEqual(answers, [
      { category: "billing", confidence: 0.6, parsed: true },
      { category: "shipping", confidence: 0.3, parsed: false },
      { category: "other", confidence: 0, parsed: false },
      { category: "other", confidence: 0, parsed: false },
      { category: "other", confidence: 0, parsed: false },
    ]);
  });

  it("normalize_ticket collapses whitespace, bounds length, normalises the tier and finds urgent words", () => {
    const [plain, long, tiers] = results(classifier("normalize_ticket.py"), [
      { ticket_text: "  The site is DOWN\n\n for   everyone, urgent!  ", customer_tier: " Premium " },
      { ticket_text: "word ".repeat(1000), customer_tier: "standard" },
      { ticket_text: "Please fix the download page", customer_tier: "gold" },
    ]) as Record<string, unknown>[];
    assert.equal(plain!.text, "The site is DOWN for everyone, urgent!");
    assert.equal(plain!.customer_tier, "premium");
    assert.deepEqual(plain!.urgent_words, ["urgent", "down"]);
    assert.match(String(plain!.reference), /^TCK-[0-9A-F]{8}$/);
    assert.equal(long!.truncated, true);
    assert.ok(String(long!.text).length <= 2004);
    assert.equal(tiers!.customer_tier, "standard");
    assert.deepEqual(tiers!.urgent_words, [], '"download" is not "down"');
  });

  it("normalize_ticket gives the same text the same reference", () => {
    const [a, b] = results(classifier("normalize_ticket.py"), [{ ticket_text: "Invoice  wrong" }, { ticket_text: "Invoice wrong " }]) as { reference: string }[];
    assert.equal(a!.reference, b!.reference);
  });

  it("compute_priority applies category, tier, urgency and low confidence", () => {
    const priorities = results(classifier("compute_priority.py"), [
      { category: "outage", confidence: 0.9, customer_tier: "enterprise", urgent_words: [] },
      { category: "other", confidence: 0.9, customer_tier: "free", urgent_words: [] },
      { category: "billing", confidence: 0.9, customer_tier: "premium", urgent_words: [] },
      { category: "billing", confidence: 0.9, customer_tier: "standard", urgent_words: ["asap"] },
      { category: "other", confidence: 0.2, customer_tier: "standard" },
      { category: "made_up", confidence: 0.9 },
    ]) as { priority: string; sla_hours: number; needs_review: boolean }[];
    assert.deepEqual(priorities.map((p) => [p.priority, p.sla_hours, p.needs_review]), [
      ["P1", 1, false],
      ["P4", 72, false],
      ["P2", 4, false],
      ["P2", 4, false],
      ["P3", 24, true],
      ["P4", 72, false],
    ]);
  });

  it("escalate_outage pages on-call for premium customers and P1 tickets only", () => {
    const notes = results(classifier("escalate_outage.py"), [
      { ticket_text: "Nothing loads", customer_tier: "premium", priority: "P2" },
      { ticket_text: "Nothing loads", customer_tier: "free", priority: "P2" },
      { ticket_text: "x".repeat(400), customer_tier: "free", priority: "P1" },
    ]) as { page_on_call: boolean; note: string; team: string }[];
    assert.deepEqual(notes.map((n) => n.page_on_call), [true, false, true]);
    assert.equal(notes[0]!.team, "incident-response");
    assert.ok(notes[2]!.note.length < 220);
  });
});

describe("ticket_classification_eval tools", () => {
  it("score_line compares normalised labels and never counts an empty prediction as correct", () => {
    const lines = results(classificationEval("score_line.py"), [
      { prediction: "Billing ", ground_truth: "billing", confidence: 0.9 },
      { prediction: "technical", ground_truth: "outage", confidence: "0.4" },
      { prediction: "", ground_truth: "", confidence: null },
    ]) as { correct: boolean; confidence: number }[];
    assert.deepEqual(lines.map((l) => [l.correct, l.confidence]), [
      [true, 0.9],
      [false, 0.4],
      [false, 0],
    ]);
  });

  it("aggregate_scores logs accuracy, macro F1 and per-category precision and recall", () => {
    const line = (prediction: string, ground_truth: string, confidence: number): Record<string, unknown> => ({
      prediction,
      ground_truth,
      confidence,
      correct: prediction === ground_truth,
    });
    const scores = [
      line("billing", "billing", 0.9),
      line("billing", "billing", 0.8),
      line("billing", "technical", 0.4),
      line("technical", "technical", 0.7),
      line("outage", "outage", 1.0),
      null, // a bypassed line arrives as null
    ];
    const outcome = callTool(classificationEval("aggregate_scores.py"), { scores });
    // billing: P 2/3 R 1 F1 0.8; technical: P 1 R 0.5 F1 0.6667; outage: P 1 R 1 F1 1
    assert.equal(outcome.metrics.accuracy, 0.8);
    assert.equal(outcome.metrics.precision_billing, 0.6667);
    assert.equal(outcome.metrics.recall_technical, 0.5);
    assert.equal(outcome.metrics.macro_f1, 0.8222);
    assert.equal(outcome.metrics.lines_scored, 5);
    assert.equal(outcome.metrics.confidence_gap, 0.45);
    assert.deepEqual(outcome.result, outcome.metrics);
  });

  it("aggregate_scores handles an empty run", () => {
    const outcome = callTool(classificationEval("aggregate_scores.py"), { scores: [] });
    assert.equal(outcome.metrics.accuracy, 0);
    assert.equal(outcome.metrics.macro_f1, 0);
  });
});

describe("ticket_production_eval tools", () => {
  it("check_prediction flags invalid categories, low confidence, other, bad priorities and empty tickets", () => {
    const checks = results(productionEval("check_prediction.py"), [
      { ticket_text: "Refund please", category: "billing", confidence: 0.9, priority: "P3" },
      { ticket_text: "Refund please", category: "refund", confidence: 0.55, priority: "P3" },
      { ticket_text: "hmm", category: "other", confidence: 0.2, priority: "P9", low_confidence_threshold: 0.5 },
      { ticket_text: " ", category: "outage", confidence: "n/a", priority: "P1" },
    ]) as { flags: string[]; category: string }[];
    assert.deepEqual(checks.map((c) => c.flags), [[], ["invalid_category"], ["low_confidence", "other", "invalid_priority"], ["low_confidence", "empty_ticket"]]);
    assert.equal(checks[1]!.category, "invalid");
  });

  it("production_metrics over the sample production log reports rates and the category distribution", () => {
    const log = fs
      .readFileSync(path.join(flowsDir, "data", "production_log.jsonl"), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const checks = results(
      productionEval("check_prediction.py"),
      log.map((row) => ({ ticket_text: row.ticket_text, category: row.category, confidence: row.confidence, priority: row.priority })),
    );
    const outcome = callTool(productionEval("production_metrics.py"), { checks });
    const count = (test: (row: Record<string, unknown>) => boolean): number => log.filter(test).length;
    const rate = (n: number): number => Math.round((n / log.length) * 10_000) / 10_000;
    assert.equal(outcome.metrics.lines, log.length);
    assert.equal(outcome.metrics.other_rate, rate(count((row) => row.category === "other")));
    assert.equal(outcome.metrics.low_confidence_rate, rate(count((row) => Number(row.confidence) < 0.5)));
    assert.equal(outcome.metrics.invalid_category_rate, rate(1));
    const shares = Object.entries(outcome.metrics).filter(([key]) => key.startsWith("share_")).map(([, value]) => Number(value));
    assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 1) < 0.001, "shares sum to 1");
  });
});
