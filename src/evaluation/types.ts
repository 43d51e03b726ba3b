/**
 * Shared shapes of the evaluation core: the lines of a run being scored, per-line scores and the metrics an
 * evaluator aggregates. Everything here is plain data so evaluators, gates and reports stay pure functions.
 */
import type { TokenUsage } from "../llm/types";

/** One line of a finished run (local flow run or a deployed endpoint), as the bulk runner recorded it. */
export interface RunLine {
  lineNumber: number;
  status: "Completed" | "Failed";
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  error?: { message: string; type: string };
  durationMs?: number;
  usage?: TokenUsage;
  /** The row of the reference dataset joined by line number, for `${data.col}` mappings (e.g. ground truth). */
  data?: Record<string, unknown>;
}

/** What one evaluator concluded about one line. A line the evaluator could not score carries `error` instead. */
export interface LineScore {
  lineNumber: number;
  scores: Record<string, number>;
  error?: string;
  /** Short human-readable explanation (the LLM judge's reason). */
  reason?: string;
}

export interface EvaluatorResult {
  evaluator: string;
  lines: LineScore[];
  metrics: Record<string, number>;
}

/** A per-line scorer plus its aggregation. `fields` are the evaluator's mapped inputs (prediction, reference...). */
export interface Evaluator {
  /** Instance name from the experiment (e.g. "category_exact"); qualifies its metrics in gates and reports. */
  name: string;
  /** Mapped field name -> `${run.outputs.x}` | `${run.inputs.x}` | `${data.x}` | literal. */
  mappings: Record<string, string>;
  scoreLine(fields: Record<string, unknown>, line: RunLine, signal?: AbortSignal): LineScore | Promise<LineScore>;
  aggregate(scores: LineScore[]): Record<string, number>;
}
