/**
 * Reading an evaluator's `params` and `mappings` from the experiment file. Mistakes are UserErrors naming the
 * evaluator and the parameter, because that is what the user has to fix.
 */
import { UserError } from "../../core/userError";
import type { MatchNormalization } from "./textNormalization";

export type Params = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? `"${value}"` : typeof value;
}

export function invalidParam(evaluator: string, param: string, expected: string, found: unknown): UserError {
  return new UserError(`evaluator '${evaluator}': params.${param}: expected ${expected}, found ${describe(found)}`);
}

export function booleanParam(evaluator: string, params: Params, name: string, fallback: boolean): boolean {
  const value = params[name];
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw invalidParam(evaluator, name, "true or false", value);
  return value;
}

export function optionalStringParam(evaluator: string, params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") throw invalidParam(evaluator, name, "a non-empty string", value);
  return value;
}

export function stringListParam(evaluator: string, params: Params, name: string): string[] | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value === "string") return [value];
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
    throw invalidParam(evaluator, name, "a string or a list of strings", value);
  }
  return value as string[];
}

/** Fails when a field the evaluator needs has no mapping, listing what it needs. */
export function requireMappings(evaluator: string, kind: string, mappings: Record<string, string>, needed: string[]): void {
  const missing = needed.filter((field) => mappings[field] === undefined);
  if (missing.length > 0) {
    throw new UserError(
      `evaluator '${evaluator}' (builtin ${kind}): mappings.${missing[0]} is missing; ${kind} needs mappings for ` +
        `${needed.join(", ")}, e.g. prediction: \${run.outputs.category}`,
    );
  }
}

/** `ignore_case` / `ignore_whitespace` (both default true): how text evaluators compare prediction and expected text. */
export function matchNormalizationParams(evaluator: string, params: Params): MatchNormalization {
  return {
    ignoreCase: booleanParam(evaluator, params, "ignore_case", true),
    ignoreWhitespace: booleanParam(evaluator, params, "ignore_whitespace", true),
  };
}
