/** The `builtin:` evaluators an experiment can name, built from their experiment spec. */
import { UserError } from "../../core/userError";
import type { Evaluator } from "../types";
import { createContainsEvaluator } from "./contains";
import { createExactMatchEvaluator } from "./exactMatch";
import { createJsonValidEvaluator } from "./jsonValid";
import { validateMappings } from "./mapping";
import { createLlmJudgeEvaluator, type JudgeDependencies } from "./llmJudge";
import { createRegexEvaluator } from "./regexMatch";
import { createTokenF1Evaluator } from "./tokenF1";

export const builtinEvaluatorKinds = ["exact_match", "f1", "regex", "contains", "json_valid", "llm_judge"] as const;

export interface BuiltinEvaluatorSpec {
  name: string;
  builtin: string;
  mappings?: Record<string, string>;
  params?: Record<string, unknown>;
}

export function createBuiltinEvaluator(spec: BuiltinEvaluatorSpec, judge?: JudgeDependencies): Evaluator {
  const mappings = spec.mappings ?? {};
  const params = spec.params ?? {};
  validateMappings(spec.name, mappings);
  switch (spec.builtin) {
    case "exact_match":
      return createExactMatchEvaluator(spec.name, mappings, params);
    case "f1":
      return createTokenF1Evaluator(spec.name, mappings, params);
    case "regex":
      return createRegexEvaluator(spec.name, mappings, params);
    case "contains":
      return createContainsEvaluator(spec.name, mappings, params);
    case "json_valid":
      return createJsonValidEvaluator(spec.name, mappings, params);
    case "llm_judge":
      return createLlmJudgeEvaluator(spec.name, mappings, params, judge);
    default:
      throw new UserError(
        `evaluator '${spec.name}': unknown builtin '${spec.builtin}' (expected one of ${builtinEvaluatorKinds.join(", ")})`,
      );
  }
}
