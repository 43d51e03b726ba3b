/** The `builtin:` evaluators an experiment can name, built from their experiment spec. */
import { UserError } from "../../core/userError";
import { builtinEvaluatorNames, isBuiltinEvaluatorName, type BuiltinEvaluatorName } from "../../config/experiment/builtinEvaluators";
import type { Evaluator } from "../types";
import { createContainsEvaluator } from "./contains";
import { createExactMatchEvaluator } from "./exactMatch";
import { createJsonValidEvaluator } from "./jsonValid";
import { validateMappings } from "./mapping";
import { createLlmJudgeEvaluator, type JudgeDependencies } from "./llmJudge";
import { createRegexEvaluator } from "./regexMatch";
import { createTokenF1Evaluator } from "./tokenF1";

type EvaluatorFactory = (name: string, mappings: Record<string, string>, params: Record<string, unknown>, judge?: JudgeDependencies) => Evaluator;

/** One implementation per registered builtin: the type makes a registered name without one a compile error. */
const factories: Record<BuiltinEvaluatorName, EvaluatorFactory> = {
  exact_match: createExactMatchEvaluator,
  f1: createTokenF1Evaluator,
  regex: createRegexEvaluator,
  contains: createContainsEvaluator,
  json_valid: createJsonValidEvaluator,
  llm_judge: createLlmJudgeEvaluator,
};

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
  if (!isBuiltinEvaluatorName(spec.builtin)) {
    throw new UserError(`evaluator '${spec.name}': unknown builtin '${spec.builtin}' (expected one of ${builtinEvaluatorNames.join(", ")})`);
  }
  return factories[spec.builtin](spec.name, mappings, params, judge);
}
