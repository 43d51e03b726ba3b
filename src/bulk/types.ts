/**
 * Contract between whatever runs one line (a flow executor, a deployed endpoint, an evaluator) and the bulk
 * runner that streams a dataset through it concurrently, records each line and resumes killed runs.
 * The runner knows nothing about flows; the flow engine knows nothing about files or concurrency.
 */
import type { TokenUsage } from "../llm/types";

export interface LineError {
  message: string;
  /** e.g. "InputError", "NodeError", "HttpError", "Timeout". */
  type: string;
  node?: string;
}

export interface LineOutcome {
  status: "Completed" | "Failed";
  outputs: Record<string, unknown>;
  error?: LineError;
  usage: TokenUsage;
  /** Per-line values the aggregation step needs; opaque to the runner, persisted so resumed runs aggregate all lines. */
  aggregationInputs?: Record<string, unknown>;
}

export interface LineContext {
  lineNumber: number;
  signal: AbortSignal;
}

export interface AggregationOutcome {
  metrics: Record<string, number | string>;
  error?: string;
}

export interface LineExecutor {
  runLine(inputs: Record<string, unknown>, context: LineContext): Promise<LineOutcome>;
  /** Called once after all lines, with the completed lines only, in line order. */
  aggregate?(lines: { lineNumber: number; inputs: Record<string, unknown>; aggregationInputs?: Record<string, unknown> }[]): Promise<AggregationOutcome>;
  close?(): Promise<void>;
}
