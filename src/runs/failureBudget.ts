/**
 * How many failed lines a run may have before `llmops run` exits 1: none by default, or what `--max-failed`
 * allows, as a count (`5`) or a share of the lines (`2%`). Pure.
 */
import { UserError } from "../core/userError";

export type FailureBudget = { kind: "count"; max: number } | { kind: "percent"; max: number };

export const noFailures: FailureBudget = { kind: "count", max: 0 };

export function parseFailureBudget(text: string, option = "--max-failed"): FailureBudget {
  const trimmed = text.trim();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(trimmed);
  if (percent) {
    const max = Number(percent[1]);
    if (max <= 100) return { kind: "percent", max };
  } else if (/^\d+$/.test(trimmed) && Number.isSafeInteger(Number(trimmed))) {
    return { kind: "count", max: Number(trimmed) };
  }
  throw new UserError(`${option}: expected a number of lines (e.g. 5) or a percentage of the lines up to 100% (e.g. 2%), found '${text}'`);
}

export function withinFailureBudget(run: { total: number; failed: number }, budget: FailureBudget): boolean {
  if (budget.kind === "count") return run.failed <= budget.max;
  return run.total === 0 || (run.failed / run.total) * 100 <= budget.max;
}

export function describeFailureBudget(budget: FailureBudget): string {
  return budget.kind === "count" ? `${budget.max} failed line${budget.max === 1 ? "" : "s"}` : `${budget.max}% failed lines`;
}
