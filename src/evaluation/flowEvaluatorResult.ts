/**
 * An evaluation *flow* (e.g. ticket_classification_eval) run over a flow run's lines, turned into the same
 * EvaluatorResult the built-in evaluators produce, so gates and reports treat both alike: each line's numeric (and
 * boolean, as 1/0) outputs become its scores, a failed evaluation line becomes a line error, and the numeric
 * metrics its aggregation node logged become the evaluator's metrics (string metrics cannot be gated and are
 * dropped).
 */
import type { EvaluatorResult, LineScore, RunLine } from "./types";

export function flowEvaluatorResult(name: string, evaluationLines: RunLine[], aggregated: Record<string, number | string>): EvaluatorResult {
  const lines: LineScore[] = evaluationLines.map((line) => {
    if (line.status === "Failed") {
      return { lineNumber: line.lineNumber, scores: {}, error: line.error ? `${line.error.type}: ${line.error.message}` : "evaluation line failed" };
    }
    const scores: Record<string, number> = {};
    for (const [output, value] of Object.entries(line.outputs)) {
      if (typeof value === "number" && Number.isFinite(value)) scores[output] = value;
      else if (typeof value === "boolean") scores[output] = value ? 1 : 0;
    }
    return { lineNumber: line.lineNumber, scores };
  });
  const metrics: Record<string, number> = {};
  for (const [metric, value] of Object.entries(aggregated)) {
    if (typeof value === "number" && Number.isFinite(value)) metrics[metric] = value;
  }
  const errors = lines.filter((line) => line.error !== undefined).length;
  return { evaluator: name, lines, metrics: { ...metrics, scored_lines: lines.length - errors, error_lines: errors } };
}
