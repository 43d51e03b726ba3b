import type { LineScore } from "../types";

/** Mean of each score over the lines that produced it; lines with an error are left out. */
export function meanScores(scores: LineScore[], names: string[]): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const name of names) {
    let sum = 0;
    let count = 0;
    for (const line of scores) {
      const value = line.scores[name];
      if (line.error === undefined && typeof value === "number" && Number.isFinite(value)) {
        sum += value;
        count += 1;
      }
    }
    if (count > 0) metrics[name] = sum / count;
  }
  return metrics;
}

/** How many lines an evaluator scored and how many it could not: reported next to every evaluator's metrics. */
export function lineCounts(scores: LineScore[]): { scored_lines: number; error_lines: number } {
  const errors = scores.filter((line) => line.error !== undefined).length;
  return { scored_lines: scores.length - errors, error_lines: errors };
}
