/**
 * Metric references as gates and regression policies write them:
 *   `accuracy`                          any evaluator's metric named accuracy
 *   `exact.accuracy`                    metric `accuracy` of evaluator `exact`
 *   `eval/exact.accuracy`               ... on dataset `eval` only
 * The first dot separates the evaluator from the metric, so a metric name may contain dots only when qualified
 * (`eval_flow.precision.billing`). Operational metrics (error_rate, p95_latency_ms, tokens) belong to evaluator `run`.
 */
import { UserError } from "../../core/userError";
import { metricTraits } from "../metricTraits";

export interface MetricRef {
  dataset?: string;
  evaluator?: string;
  metric: string;
}

const namePattern = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
const metricPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Parses a metric reference; `context` names where it came from for the error message. */
export function parseMetricRef(text: string, context: string): MetricRef {
  const fail = (why: string): UserError => new UserError(`${context}: invalid metric '${text}': ${why}`);
  const trimmed = text.trim();
  if (trimmed === "") throw fail("the metric name is empty");
  let rest = trimmed;
  let dataset: string | undefined;
  const slash = rest.indexOf("/");
  if (slash >= 0) {
    dataset = rest.slice(0, slash);
    rest = rest.slice(slash + 1);
    if (!namePattern.test(dataset)) throw fail(`dataset name '${dataset}' must be letters, digits, _ or -`);
    if (!rest.includes(".")) throw fail("a dataset-qualified metric needs an evaluator too: <dataset>/<evaluator>.<metric>");
  }
  const dot = rest.indexOf(".");
  const evaluator = dot >= 0 ? rest.slice(0, dot) : undefined;
  const metric = dot >= 0 ? rest.slice(dot + 1) : rest;
  if (evaluator !== undefined && !namePattern.test(evaluator)) {
    throw fail(`evaluator name '${evaluator}' must be letters, digits, _ or -`);
  }
  if (!metricPattern.test(metric) || metric.endsWith(".")) {
    throw fail(`metric name '${metric}' must be letters, digits, _, - or . (no spaces)`);
  }
  const ref: MetricRef = { metric };
  if (dataset !== undefined) ref.dataset = dataset;
  if (evaluator !== undefined) ref.evaluator = evaluator;
  return ref;
}

export function formatMetricRef(ref: MetricRef): string {
  const qualified = ref.evaluator === undefined ? ref.metric : `${ref.evaluator}.${ref.metric}`;
  return ref.dataset === undefined ? qualified : `${ref.dataset}/${qualified}`;
}

/** Whether a metrics entry (dataset, evaluator) is one the reference points at. */
export function refSelects(ref: MetricRef, entry: { dataset: string; evaluator: string }): boolean {
  return (ref.dataset === undefined || ref.dataset === entry.dataset) && (ref.evaluator === undefined || ref.evaluator === entry.evaluator);
}

/** Whether lower values of a metric are better (see metricTraits.ts, the registry of directions). */
export function lowerIsBetter(metric: string, extraLowerIsBetter: readonly string[] = []): boolean {
  return metricTraits(metric, extraLowerIsBetter).direction === "lower";
}
