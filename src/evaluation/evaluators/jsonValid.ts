import type { Evaluator } from "../types";
import { oneMetricEvaluator } from "./aggregate";
import { type Params, requireMappings, stringListParam } from "./params";

/** Whether a value is JSON (a string that parses, or an already-structured value) holding every required key. */
export function checkJson(value: unknown, requiredKeys: string[]): { valid: boolean; problem?: string } {
  let parsed: unknown = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch (err) {
      return { valid: false, problem: `not valid JSON: ${(err as Error).message}` };
    }
  } else if (value === undefined) {
    return { valid: false, problem: "prediction is missing" };
  }
  if (requiredKeys.length === 0) return { valid: true };
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return { valid: false, problem: "not a JSON object, so required keys cannot be present" };
  }
  const missing = requiredKeys.filter((key) => !Object.prototype.hasOwnProperty.call(parsed, key));
  return missing.length === 0 ? { valid: true } : { valid: false, problem: `missing keys: ${missing.join(", ")}` };
}

/** 1 when the prediction is valid JSON with all `params.required_keys`, else 0 (the reason goes into `reason`). */
export function createJsonValidEvaluator(name: string, mappings: Record<string, string>, params: Params): Evaluator {
  requireMappings(name, "json_valid", mappings, ["prediction"]);
  const requiredKeys = stringListParam(name, params, "required_keys") ?? [];
  return oneMetricEvaluator(name, mappings, "json_valid", (fields) => {
    const { valid, problem } = checkJson(fields.prediction, requiredKeys);
    return { score: valid ? 1 : 0, reason: problem };
  });
}
