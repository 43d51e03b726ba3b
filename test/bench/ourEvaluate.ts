/**
 * Our side of the endpoint benchmark, the path `llmops evaluate --phase post` takes for a deployed target: the
 * dataset is bulk-run through the shared scoring target (runBulk + createScoringTarget, flow inputs picked by a
 * column mapping), then the run's line-ordered outputs are read back, joined with the dataset and scored by the
 * built-in exact-match evaluator.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { nonBlankLines, runBulk, runFiles } from "../../src/runs/bulk";
import { createBuiltinEvaluator, createScoringTarget, evaluateLines, joinData, parseRunRecords } from "../../src/evaluation";

export interface OurEvaluateOptions {
  /** JSONL rows with `ticket_text` and `expected_category`. */
  data: string;
  scoringUrl: string;
  concurrency: number;
  runDir: string;
}

export interface OurEvaluateResult {
  rows: number;
  completed: number;
  failed: number;
  /** Lines the exact-match evaluator scored (without a line error). */
  scored: number;
  passed: number;
  /** Bulk run plus evaluation. */
  seconds: number;
  bulkSeconds: number;
  latencyMs: { p50: number; p95: number };
}

async function datasetRows(file: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const line of nonBlankLines(file)) rows.push(JSON.parse(line.text) as Record<string, unknown>);
  return rows;
}

export async function evaluateAgainstEndpoint(options: OurEvaluateOptions): Promise<OurEvaluateResult> {
  const started = performance.now();
  const summary = await runBulk({
    data: options.data,
    executor: createScoringTarget({ name: "bench-endpoint", url: options.scoringUrl, auth: { kind: "none" } }),
    runDir: options.runDir,
    concurrency: options.concurrency,
    columnMapping: { ticket_text: "${data.ticket_text}" },
    inputNames: ["ticket_text"],
  });
  const bulkSeconds = (performance.now() - started) / 1000;

  const outputsFile = join(options.runDir, runFiles.outputs);
  const lines = joinData(parseRunRecords(await readFile(outputsFile, "utf8"), outputsFile), await datasetRows(options.data));
  const evaluator = createBuiltinEvaluator({
    name: "category_exact",
    builtin: "exact_match",
    mappings: { prediction: "${run.outputs.category}", reference: "${data.expected_category}" },
  });
  const result = await evaluateLines(evaluator, lines);
  const seconds = (performance.now() - started) / 1000;

  const scored = result.lines.filter((line) => line.error === undefined);
  return {
    rows: summary.total,
    completed: summary.completed,
    failed: summary.failed,
    scored: scored.length,
    passed: scored.filter((line) => line.scores.exact_match === 1).length,
    seconds,
    bulkSeconds,
    latencyMs: { p50: summary.latency_ms.p50, p95: summary.latency_ms.p95 },
  };
}
