import type { Evaluator, LineScore } from "../types";
import { lineCounts, meanScores } from "./aggregate";
import { matchNormalizationParams, type Params, requireMappings } from "./params";
import { normalizeForMatch, valueAsText } from "./textNormalization";

/**
 * 1 when prediction equals reference, else 0. By default case and surrounding/repeated whitespace are ignored
 * (`ignore_case`, `ignore_whitespace` params), which is what a classifier's "Billing " vs "billing" needs.
 */
export function createExactMatchEvaluator(name: string, mappings: Record<string, string>, params: Params): Evaluator {
  requireMappings(name, "exact_match", mappings, ["prediction", "reference"]);
  const normalization = matchNormalizationParams(name, params);
  return {
    name,
    mappings,
    scoreLine(fields, line): LineScore {
      const reference = valueAsText(fields.reference);
      if (reference === undefined) return { lineNumber: line.lineNumber, scores: {}, error: "reference is missing" };
      const prediction = valueAsText(fields.prediction) ?? "";
      const equal = normalizeForMatch(prediction, normalization) === normalizeForMatch(reference, normalization);
      return { lineNumber: line.lineNumber, scores: { exact_match: equal ? 1 : 0 } };
    },
    aggregate: (scores) => ({ ...meanScores(scores, ["exact_match"]), ...lineCounts(scores) }),
  };
}
