import { UserError } from "../../core/userError";
import type { Evaluator } from "../types";
import { oneMetricEvaluator } from "./aggregate";
import { invalidParam, matchNormalizationParams, type Params, requireMappings, stringListParam } from "./params";
import { normalizeForMatch, valueAsText } from "./textNormalization";

/**
 * 1 when the prediction contains the expected text(s), else 0. The expected text is `params.value` (a string or a
 * list; `params.mode` "any" or "all", default "all") or, without it, the mapped `reference`.
 */
export function createContainsEvaluator(name: string, mappings: Record<string, string>, params: Params): Evaluator {
  requireMappings(name, "contains", mappings, ["prediction"]);
  const fixed = stringListParam(name, params, "value");
  if (fixed === undefined && mappings.reference === undefined) {
    throw new UserError(`evaluator '${name}' (builtin contains): give params.value or mappings.reference`);
  }
  const mode = params.mode ?? "all";
  if (mode !== "all" && mode !== "any") throw invalidParam(name, "mode", '"all" or "any"', mode);
  const normalization = matchNormalizationParams(name, params);
  return oneMetricEvaluator(name, mappings, "contains", (fields) => {
    const reference = valueAsText(fields.reference);
    const expected = fixed ?? (reference === undefined ? undefined : [reference]);
    if (expected === undefined) return { error: "reference is missing" };
    const haystack = normalizeForMatch(valueAsText(fields.prediction) ?? "", normalization);
    const found = (needle: string): boolean => haystack.includes(normalizeForMatch(needle, normalization));
    return { score: (mode === "all" ? expected.every(found) : expected.some(found)) ? 1 : 0 };
  });
}
