/**
 * Assembling an evaluation's results into the plain data every report is rendered from: the metrics file (one
 * entry per dataset x evaluator x thing evaluated, plus the operational "run" entry per run) and the per-line rows.
 */
import { UserError } from "../core/userError";
import { runMetrics, runMetricsEvaluatorName } from "./evaluators/runMetrics";
import { evaluateGates } from "./gates/evaluateGates";
import type { Gate } from "./gates/gate";
import type { GateResult } from "./gates/gateResult";
import { createMetricsEntry, type EvaluatedTarget, type MetricsEntry, type MetricsFile, type MetricsPhase, targetLabel } from "./metricsFile";
import type { EvaluatorResult, RunLine } from "./types";

/** One dataset run through one thing (a flow variant or a deployment), with every evaluator's results on it. */
export interface EvaluatedRun {
  dataset: string;
  /** Flow variant label, e.g. "classify_ticket.few_shot"; "default" when the flow has no variants. */
  variant: string;
  target: EvaluatedTarget;
  lines: RunLine[];
  evaluators: EvaluatorResult[];
}

/** Scores whose per-line value is pass (1) / fail (0): a 0 marks the line as a miss in the reports. */
const passFailScores = new Set(["exact_match", "regex_match", "contains", "json_valid"]);

export type LineOutcome = "run_failed" | "eval_error" | "miss" | "ok";

export const outcomeOrder: Record<LineOutcome, number> = { run_failed: 0, eval_error: 1, miss: 2, ok: 3 };

export interface ReportLine {
  /** Label of the metrics entries of this run (variant or deployment). */
  run: string;
  dataset: string;
  lineNumber: number;
  status: "Completed" | "Failed";
  outcome: LineOutcome;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  /** The reference dataset's columns that are not inputs (the ground truth a missed line is judged against). */
  expected?: Record<string, unknown>;
  error?: string;
  durationMs?: number;
  /** `<evaluator>.<score>` -> value. */
  scores: Record<string, number>;
  /** `<evaluator>: <error or reason>`. */
  notes: string[];
}

export function buildMetricsEntries(runs: EvaluatedRun[]): MetricsEntry[] {
  const entries: MetricsEntry[] = [];
  const seen = new Set<string>();
  for (const run of runs) {
    const failed = run.lines.filter((line) => line.status === "Failed").length;
    const base = { dataset: run.dataset, variant: run.variant, target: run.target, lines: run.lines.length, failed };
    const perEvaluator = [
      createMetricsEntry({ ...base, evaluator: runMetricsEvaluatorName, metrics: runMetrics(run.lines) }),
      ...run.evaluators.map((result) => createMetricsEntry({ ...base, evaluator: result.evaluator, metrics: result.metrics })),
    ];
    for (const entry of perEvaluator) {
      if (seen.has(entry.id)) {
        throw new UserError(`two results would both be '${entry.id}': each dataset, evaluator and variant/deployment must be evaluated once`);
      }
      seen.add(entry.id);
      entries.push(entry);
    }
  }
  return entries;
}

export interface MetricsFileInput {
  phase: MetricsPhase;
  runId: string;
  createdAt: Date;
  runs: EvaluatedRun[];
  gates: Gate[];
  /** Results computed elsewhere: regression, deployed-vs-pre, smoke tests. */
  extraGateResults?: GateResult[];
}

export function buildMetricsFile(input: MetricsFileInput): MetricsFile {
  const targets = buildMetricsEntries(input.runs);
  return {
    version: 1,
    phase: input.phase,
    run_id: input.runId,
    created_at: input.createdAt.toISOString(),
    targets,
    gates: [...evaluateGates(input.gates, targets), ...(input.extraGateResults ?? [])],
  };
}

function lineOutcome(line: RunLine, scores: Record<string, number>, hadError: boolean): LineOutcome {
  if (line.status === "Failed") return "run_failed";
  if (hadError) return "eval_error";
  const missed = Object.entries(scores).some(([name, value]) => passFailScores.has(name.slice(name.indexOf(".") + 1)) && value === 0);
  return missed ? "miss" : "ok";
}

/** One row per line of each run with all evaluators' scores, failures first (run failed, unscorable, missed). */
export function buildReportLines(runs: EvaluatedRun[]): ReportLine[] {
  const rows: ReportLine[] = [];
  for (const run of runs) {
    const label = targetLabel(run.variant, run.target);
    const byLine = run.evaluators.map((result) => ({ name: result.evaluator, scores: new Map(result.lines.map((score) => [score.lineNumber, score])) }));
    for (const line of run.lines) {
      const scores: Record<string, number> = {};
      const notes: string[] = [];
      let hadError = false;
      for (const evaluator of byLine) {
        const score = evaluator.scores.get(line.lineNumber);
        if (score === undefined) continue;
        for (const [name, value] of Object.entries(score.scores)) scores[`${evaluator.name}.${name}`] = value;
        if (score.error !== undefined) {
          hadError = true;
          notes.push(`${evaluator.name}: ${score.error}`);
        } else if (score.reason !== undefined && score.reason !== "") {
          notes.push(`${evaluator.name}: ${score.reason}`);
        }
      }
      const row: ReportLine = {
        run: label,
        dataset: run.dataset,
        lineNumber: line.lineNumber,
        status: line.status,
        outcome: lineOutcome(line, scores, hadError),
        inputs: line.inputs,
        outputs: line.outputs,
        scores,
        notes,
      };
      if (line.data !== undefined) {
        const expected = Object.fromEntries(Object.entries(line.data).filter(([column]) => !(column in line.inputs)));
        if (Object.keys(expected).length > 0) row.expected = expected;
      }
      if (line.error !== undefined) row.error = `${line.error.type}: ${line.error.message}`;
      if (line.durationMs !== undefined) row.durationMs = line.durationMs;
      rows.push(row);
    }
  }
  return rows.sort(
    (a, b) => outcomeOrder[a.outcome] - outcomeOrder[b.outcome] || a.run.localeCompare(b.run) || a.dataset.localeCompare(b.dataset) || a.lineNumber - b.lineNumber,
  );
}
