import type { Evaluator } from "../types";
import { oneMetricEvaluator } from "./aggregate";
import { type Params, requireMappings } from "./params";
import { answerTokens, valueAsText } from "./textNormalization";

/** Token-overlap F1 between two answers after SQuAD normalisation. Two empty answers agree (1), one empty is 0. */
export function tokenF1(prediction: string, reference: string): number {
  const predicted = answerTokens(prediction);
  const expected = answerTokens(reference);
  if (predicted.length === 0 || expected.length === 0) return predicted.length === expected.length ? 1 : 0;
  const remaining = new Map<string, number>();
  for (const token of expected) remaining.set(token, (remaining.get(token) ?? 0) + 1);
  let common = 0;
  for (const token of predicted) {
    const left = remaining.get(token) ?? 0;
    if (left > 0) {
      common += 1;
      remaining.set(token, left - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / predicted.length;
  const recall = common / expected.length;
  return (2 * precision * recall) / (precision + recall);
}

export function createTokenF1Evaluator(name: string, mappings: Record<string, string>, _params: Params): Evaluator {
  requireMappings(name, "f1", mappings, ["prediction", "reference"]);
  return oneMetricEvaluator(name, mappings, "f1", (fields) => {
    const reference = valueAsText(fields.reference);
    if (reference === undefined) return { error: "reference is missing" };
    return { score: tokenF1(valueAsText(fields.prediction) ?? "", reference) };
  });
}
