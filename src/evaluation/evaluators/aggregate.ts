import type { Evaluator, LineScore } from "../types";

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

/** What a one-metric evaluator makes of a line's mapped fields: a score (with an optional reason), or why it has none. */
export type LineOutcome = { score: number; reason?: string } | { error: string };

/**
 * An evaluator with one metric a line (exact_match, contains, f1, regex_match, json_valid): the metric's mean over
 * the lines it scored, next to the line counts.
 */
export function oneMetricEvaluator(
  name: string,
  mappings: Record<string, string>,
  metric: string,
  scoreFields: (fields: Record<string, unknown>) => LineOutcome,
): Evaluator {
  return {
    name,
    mappings,
    scoreLine(fields, line): LineScore {
      const outcome = scoreFields(fields);
      if ("error" in outcome) return { lineNumber: line.lineNumber, scores: {}, error: outcome.error };
      const score: LineScore = { lineNumber: line.lineNumber, scores: { [metric]: outcome.score } };
      if (outcome.reason !== undefined) score.reason = outcome.reason;
      return score;
    },
    aggregate: (scores) => ({ ...meanScores(scores, [metric]), ...lineCounts(scores) }),
  };
}
