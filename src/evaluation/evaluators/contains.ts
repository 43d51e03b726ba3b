import { UserError } from "../../core/userError";
import type { Evaluator, LineScore } from "../types";
import { lineCounts, meanScores } from "./aggregate";
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
  return {
    name,
    mappings,
    scoreLine(fields, line): LineScore {
      const reference = valueAsText(fields.reference);
      const expected = fixed ?? (reference === undefined ? undefined : [reference]);
      if (expected === undefined) return { lineNumber: line.lineNumber, scores: {}, error: "reference is missing" };
      const haystack = normalizeForMatch(valueAsText(fields.prediction) ?? "", normalization);
      const found = (needle: string): boolean => haystack.includes(normalizeForMatch(needle, normalization));
      const hit = mode === "all" ? expected.every(found) : expected.some(found);
      return { lineNumber: line.lineNumber, scores: { contains: hit ? 1 : 0 } };
    },
    aggregate: (scores) => ({ ...meanScores(scores, ["contains"]), ...lineCounts(scores) }),
  };
}
