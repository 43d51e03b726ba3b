import { UserError } from "../../core/userError";
import type { Evaluator, LineScore } from "../types";
import { lineCounts, meanScores } from "./aggregate";
import { invalidParam, optionalStringParam, type Params, requireMappings } from "./params";
import { valueAsText } from "./textNormalization";

/** 1 when the prediction matches `params.pattern` (JavaScript syntax, `params.flags` e.g. "i"), else 0. */
export function createRegexEvaluator(name: string, mappings: Record<string, string>, params: Params): Evaluator {
  requireMappings(name, "regex", mappings, ["prediction"]);
  const pattern = optionalStringParam(name, params, "pattern");
  if (pattern === undefined) throw invalidParam(name, "pattern", "a regular expression", params.pattern);
  const flags = optionalStringParam(name, params, "flags") ?? "";
  if (/[gy]/.test(flags)) throw invalidParam(name, "flags", "flags without g or y (they make matching stateful)", flags);
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, flags);
  } catch (err) {
    throw new UserError(`evaluator '${name}': params.pattern is not a valid regular expression: ${(err as Error).message}`);
  }
  return {
    name,
    mappings,
    scoreLine(fields, line): LineScore {
      const prediction = valueAsText(fields.prediction);
      if (prediction === undefined) return { lineNumber: line.lineNumber, scores: {}, error: "prediction is missing" };
      return { lineNumber: line.lineNumber, scores: { regex_match: regex.test(prediction) ? 1 : 0 } };
    },
    aggregate: (scores) => ({ ...meanScores(scores, ["regex_match"]), ...lineCounts(scores) }),
  };
}
