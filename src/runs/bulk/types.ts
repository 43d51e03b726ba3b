/**
 * Contract between whatever runs one line (a flow executor, a deployed endpoint, an evaluator) and the bulk
 * runner that streams a dataset through it concurrently, records each line and resumes killed runs.
 * The runner knows nothing about flows; the flow engine knows nothing about files or concurrency.
 */
import type { TokenUsage } from "../../llm/types";

export interface LineError {
  message: string;
  /** e.g. "InputError", "NodeError", "HttpError", "Timeout". */
  type: string;
  node?: string;
}

/** Failed lines that share one error. */
export interface RunErrorGroup {
  type: string;
  node?: string;
  message: string;
  count: number;
  /** Line number (0-based, like records) of the first line that failed this way. */
  first_line: number;
}

export interface LineOutcome {
  status: "Completed" | "Failed";
  outputs: Record<string, unknown>;
  error?: LineError;
  usage: TokenUsage;
  /** Per-line values the aggregation step needs; opaque to the runner, persisted so resumed runs aggregate all lines. */
  aggregationInputs?: Record<string, unknown>;
  /** What each step printed, by node name (a python tool's stdout); kept in the line's record. */
  printed?: Record<string, string>;
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
  /**
   * False when `aggregate` has nothing to do for this run (a flow without aggregation nodes): the runner then keeps
   * nothing per completed line, so memory stays flat in the number of lines.
   */
  readonly aggregates?: boolean;
  /** Called once after all lines, with the completed lines only, in line order. */
  aggregate?(lines: { lineNumber: number; inputs: Record<string, unknown>; aggregationInputs?: Record<string, unknown> }[]): Promise<AggregationOutcome>;
  close?(): Promise<void>;
}

/** One line's record as written to records.jsonl (in completion order) and outputs.jsonl (in line order). */
export interface LineRecord {
  /** 0-based index of the row among the dataset's non-blank lines. */
  line_number: number;
  status: "Completed" | "Failed";
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  error?: LineError;
  duration_ms: number;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  aggregation_inputs?: Record<string, unknown>;
  /** What each node printed on this line (python tools' stdout), by node name; absent when nothing was printed. */
  printed?: Record<string, string>;
}

/** summary.json: what a bulk run did, for reports, gates and the next run's comparison. */
export interface RunSummary {
  run: string;
  labels: Record<string, string>;
  /** Dataset path as given. */
  data: string;
  /** "Aborted" when the signal stopped the run: records are flushed and `resume` finishes it. */
  status: "Completed" | "Aborted";
  /** Dataset rows seen (for an aborted run: rows read before the stop). */
  total: number;
  completed: number;
  failed: number;
  /** Rows seen but without a record (only when aborted). */
  not_run: number;
  duration_ms: number;
  usage: { prompt: number; completion: number; total: number };
  metrics: Record<string, number | string>;
  aggregation_error?: string;
  /** Over completed lines; 0 when none completed. */
  latency_ms: { p50: number; p95: number; p99: number };
  /** The distinct errors of failed lines (at most 20 kinds), most frequent first. */
  errors: RunErrorGroup[];
  started_at: string;
  finished_at: string;
}

/** What a progress display needs from a run; src/progress implements it. */
export interface BulkProgress {
  /** `total` is undefined when counting rows first was skipped; `alreadyDone` counts lines a resume skips. */
  start(total: number | undefined, alreadyDone: number): void;
  lineFinished(status: LineRecord["status"]): void;
  /** Runs on Azure ML: instances working now, of those the attempt started. */
  instances?(busy: number, started: number): void;
  finish(): void;
}
