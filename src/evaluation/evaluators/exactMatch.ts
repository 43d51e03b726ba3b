import type { Evaluator } from "../types";
import { oneMetricEvaluator } from "./aggregate";
import { matchNormalizationParams, type Params, requireMappings } from "./params";
import { normalizeForMatch, valueAsText } from "./textNormalization";

/**
 * 1 when prediction equals reference, else 0. By default case and surrounding/repeated whitespace are ignored
 * (`ignore_case`, `ignore_whitespace` params), which is what a classifier's "Billing " vs "billing" needs.
 */
export function createExactMatchEvaluator(name: string, mappings: Record<string, string>, params: Params): Evaluator {
  requireMappings(name, "exact_match", mappings, ["prediction", "reference"]);
  const normalization = matchNormalizationParams(name, params);
  return oneMetricEvaluator(name, mappings, "exact_match", (fields) => {
    const reference = valueAsText(fields.reference);
    if (reference === undefined) return { error: "reference is missing" };
    const prediction = valueAsText(fields.prediction) ?? "";
    return { score: normalizeForMatch(prediction, normalization) === normalizeForMatch(reference, normalization) ? 1 : 0 };
  });
}
