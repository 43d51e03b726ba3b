import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runBulk, runFiles } from "../../src/runs/bulk";
import { ManualClock } from "../../src/azure/http";
import {
  buildMetricsFile,
  buildReportLines,
  createBuiltinEvaluator,
  createScoringTarget,
  evaluateLines,
  flowEvaluatorResult,
  joinData,
  parseGates,
  parseMetricsFile,
  parseRunRecords,
  regressionGates,
  writeReports,
  type EvaluatedRun,
} from "../../src/evaluation";
import { type FakeScoringServer, startFakeScoringServer } from "../support/fakeScoringServer";

const tickets = [
  { ticket_text: "My invoice shows a double charge", category: "billing" },
  { ticket_text: "I forgot my password and cannot log in", category: "account" },
  { ticket_text: "Where is my package? Tracking has not moved", category: "shipping" },
  { ticket_text: "The app shows an error when I sync", category: "technical" },
  { ticket_text: "Your site is down for our whole office", category: "outage" },
  { ticket_text: "Do you have a student discount?", category: "other" },
];

describe("evaluation: a deployment evaluated end to end (bulk runner -> evaluators -> gates -> reports)", () => {
  let server: FakeScoringServer;
  let dir: string;
  before(async () => {
    server = await startFakeScoringServer({ key: "k" });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "llmops-eval-e2e-"));
    await fs.writeFile(path.join(dir, "eval.jsonl"), `${tickets.map((row) => JSON.stringify(row)).join("\n")}\n\n`);
  });
  after(async () => {
    await server.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function evaluateDeployment(deployment: string): Promise<EvaluatedRun> {
    const executor = createScoringTarget({ name: `ep:${deployment}`, url: server.scoringUrl, auth: { kind: "key", key: "k" }, deployment, http: { clock: new ManualClock() } });
    const runDir = path.join(dir, `eval-${deployment}`);
    await runBulk({ data: path.join(dir, "eval.jsonl"), executor, runDir, columnMapping: { ticket_text: "${data.ticket_text}" }, concurrency: 3 });
    const records = parseRunRecords(await fs.readFile(path.join(runDir, runFiles.outputs), "utf8"), runFiles.outputs);
    const lines = joinData(records, tickets);
    const exact = createBuiltinEvaluator({ name: "category_match", builtin: "exact_match", mappings: { prediction: "${run.outputs.category}", reference: "${data.category}" } });
    const json = createBuiltinEvaluator({ name: "has_fields", builtin: "json_valid", mappings: { prediction: "${run.outputs}" }, params: {} });
    // An evaluation flow's per-line outputs and aggregated metrics, as the flow engine would hand them over.
    const flowLines = lines.map((line) => ({ ...line, outputs: { correct: line.outputs.category === line.data?.category } }));
    const accuracy = flowLines.filter((line) => line.outputs.correct).length / flowLines.length;
    return {
      dataset: "ticket_eval",
      variant: "few_shot",
      target: { kind: "deployment", endpoint: "ep", deployment },
      lines,
      evaluators: [
        await evaluateLines(exact, lines),
        await evaluateLines(json, lines),
        flowEvaluatorResult("ticket_classification_eval", flowLines, { accuracy, note: "strings are dropped" }),
      ],
    };
  }

  it("scores both deployments, gates them, writes reports and detects a regression against the previous run", async () => {
    const runs = [await evaluateDeployment("blue"), await evaluateDeployment("green")];
    const blue = runs[0];
    assert.equal(blue.lines.length, 6);
    assert.ok(blue.lines.every((line) => line.status === "Completed" && line.durationMs !== undefined));
    const gates = parseGates(["category_match.exact_match >= 0.8", "ticket_classification_eval.accuracy >= 0.8", "error_rate <= 0.02"]);
    const metrics = buildMetricsFile({ phase: "post", runId: "post-e2e-1", createdAt: new Date("2026-11-24T10:00:00Z"), runs, gates });
    const byTarget = (gate: string) => metrics.gates.filter((result) => result.gate === gate).map((result) => [result.target_label, result.passed]);
    assert.deepEqual(byTarget("category_match.exact_match >= 0.8"), [["ep:blue (few_shot)", true], ["ep:green (few_shot)", false]]);
    assert.deepEqual(byTarget("ticket_classification_eval.accuracy >= 0.8"), [["ep:blue (few_shot)", true], ["ep:green (few_shot)", false]]);
    assert.equal(metrics.targets.find((entry) => entry.id === "ticket_eval/has_fields@ep:blue")!.metrics.json_valid, 1);

    const written = await writeReports(path.join(dir, "reports"), { title: "Post-deployment", metrics, lines: buildReportLines(runs), comparisons: [] });
    const baseline = parseMetricsFile(await fs.readFile(written.files["metrics.json"], "utf8"), "metrics.json");

    // The next run: blue now serves the degraded model; the regression check against the baseline catches it.
    const next = await evaluateDeployment("green");
    const relabelled = { ...next, target: { kind: "deployment" as const, endpoint: "ep", deployment: "blue" } };
    const current = buildMetricsFile({ phase: "post", runId: "post-e2e-2", createdAt: new Date(), runs: [relabelled], gates: [] });
    const regression = regressionGates(baseline, current, { max_drop: 0.05, metrics: ["category_match.exact_match"] });
    assert.equal(regression.length, 1);
    assert.equal(regression[0].target_id, "ticket_eval/category_match@ep:blue");
    assert.equal(regression[0].passed, false);
  });
});
