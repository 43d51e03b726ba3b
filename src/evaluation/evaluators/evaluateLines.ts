/**
 * Runs one evaluator over the lines of a run. Lines the run itself failed are not scored (their failure is
 * already in `error_rate`); every other line gets a score or a line error, and a throwing evaluator becomes a line
 * error too, so one bad line never loses the others' scores. Async evaluators (the LLM judge) run with bounded
 * concurrency.
 */
import type { Evaluator, EvaluatorResult, LineScore, RunLine } from "../types";
import { resolveMappings } from "./mapping";

export interface EvaluateOptions {
  /** Lines scored at once; matters only for evaluators that call out (LLM judge). Default 8. */
  concurrency?: number;
  signal?: AbortSignal;
}

async function scoreOne(evaluator: Evaluator, line: RunLine, signal?: AbortSignal): Promise<LineScore> {
  try {
    return await evaluator.scoreLine(resolveMappings(evaluator.mappings, line), line, signal);
  } catch (err) {
    return { lineNumber: line.lineNumber, scores: {}, error: err instanceof Error ? err.message : String(err) };
  }
}

export async function evaluateLines(evaluator: Evaluator, lines: RunLine[], options: EvaluateOptions = {}): Promise<EvaluatorResult> {
  const completed = lines.filter((line) => line.status === "Completed");
  const results: LineScore[] = new Array<LineScore>(completed.length);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < completed.length) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error("aborted");
      const index = next++;
      results[index] = await scoreOne(evaluator, completed[index], options.signal);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, completed.length) }, worker));
  return { evaluator: evaluator.name, lines: results, metrics: evaluator.aggregate(results) };
}
