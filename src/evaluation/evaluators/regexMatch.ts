import { UserError } from "../../core/userError";
import type { Evaluator } from "../types";
import { oneMetricEvaluator } from "./aggregate";
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
  return oneMetricEvaluator(name, mappings, "regex_match", (fields) => {
    const prediction = valueAsText(fields.prediction);
    if (prediction === undefined) return { error: "prediction is missing" };
    return { score: regex.test(prediction) ? 1 : 0 };
  });
}
