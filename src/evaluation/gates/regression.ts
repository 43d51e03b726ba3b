/**
 * Baseline comparison: how much each watched metric got worse since the previous run of the same phase
 * (its metrics.json), checked against `max_drop`. Direction-aware: for accuracy a drop is current < baseline, for
 * latencies, error rates and tokens it is current > baseline. Entries are matched by their stable `id`.
 *
 * `mode: "absolute"` (default) measures the drop in the metric's own unit (accuracy 0.90 -> 0.86 drops 0.04);
 * `"relative"` as a fraction of the baseline (p95 1000 ms -> 1100 ms drops 0.10). A relative drop from a baseline
 * of 0 falls back to the absolute difference, since every change from 0 is infinitely large in relative terms.
 */
import { UserError } from "../../core/userError";
import { formatDelta, formatNumber } from "../formatNumber";
import type { MetricsFile } from "../metricsFile";
import type { GateResult } from "./gateResult";
import { formatMetricRef, lowerIsBetter, type MetricRef, parseMetricRef, refSelects } from "./metricRef";

export interface RegressionPolicy {
  max_drop: number;
  /** Metric references (same syntax as gates); empty = every metric the baseline and current run share. */
  metrics: string[];
  mode?: "absolute" | "relative";
  /** Extra metric names where lower is better, beyond the built-in latency/error/token rule. */
  lower_is_better?: string[];
}

export interface MetricDrop {
  baseline: number;
  current: number;
  /** Positive = worse. */
  drop: number;
  lowerIsBetter: boolean;
}

export function metricDrop(metric: string, baseline: number, current: number, policy: Pick<RegressionPolicy, "mode" | "lower_is_better">): MetricDrop {
  const lower = lowerIsBetter(metric, policy.lower_is_better);
  const worsening = lower ? current - baseline : baseline - current;
  const drop = policy.mode === "relative" && baseline !== 0 ? worsening / Math.abs(baseline) : worsening;
  return { baseline, current, drop, lowerIsBetter: lower };
}

function validatePolicy(policy: RegressionPolicy): MetricRef[] {
  if (typeof policy.max_drop !== "number" || !Number.isFinite(policy.max_drop) || policy.max_drop < 0) {
    throw new UserError(`regression.max_drop: expected a non-negative number, found ${String(policy.max_drop)}`);
  }
  if (policy.mode !== undefined && policy.mode !== "absolute" && policy.mode !== "relative") {
    throw new UserError(`regression.mode: expected "absolute" or "relative", found ${String(policy.mode)}`);
  }
  return policy.metrics.map((text, index) => parseMetricRef(text, `regression.metrics[${index}]`));
}

/** What the baseline is (the previous run of the same phase, or the pre-deployment run) and how results say it. */
export interface RegressionWording {
  kind: "regression" | "deployed_vs_pre";
  /** Starts each gate's description, e.g. "regression". */
  gatePrefix: string;
  /** Names the baseline run in a reason, e.g. "baseline". */
  baselineName: string;
}

const againstBaseline: RegressionWording = { kind: "regression", gatePrefix: "regression", baselineName: "baseline" };

export function regressionGates(
  baseline: MetricsFile,
  current: MetricsFile,
  policy: RegressionPolicy,
  { wording = againstBaseline, statesFailure = true }: { wording?: RegressionWording; statesFailure?: boolean } = {},
): GateResult[] {
  const refs = validatePolicy(policy);
  const baselineById = new Map(baseline.targets.map((entry) => [entry.id, entry]));
  const limit = policy.mode === "relative" ? `${formatNumber(policy.max_drop * 100)}%` : formatNumber(policy.max_drop);
  const results: GateResult[] = [];
  for (const entry of current.targets) {
    const before = baselineById.get(entry.id);
    const watched =
      refs.length === 0
        ? Object.keys(entry.metrics).filter((metric) => before?.metrics[metric] !== undefined)
        : refs
            .filter((ref) => refSelects(ref, entry))
            .map((ref) => ref.metric)
            .filter((metric) => entry.metrics[metric] !== undefined || before?.metrics[metric] !== undefined);
    for (const metric of new Set(watched)) {
      const qualified = `${entry.dataset}/${entry.evaluator}.${metric}`;
      const gate = `${wording.gatePrefix}: ${qualified} drops at most ${limit}`;
      const common = { gate, kind: wording.kind, target_id: entry.id, target_label: entry.label, metric: qualified, expected: `drop <= ${limit}` };
      const baselineValue = before?.metrics[metric];
      const currentValue = entry.metrics[metric];
      if (baselineValue === undefined) {
        results.push({ ...common, actual: currentValue, passed: true, skipped: true, reason: `no ${wording.baselineName} value in run ${baseline.run_id}: nothing to compare` });
        continue;
      }
      if (currentValue === undefined) {
        results.push({ ...common, baseline: baselineValue, passed: false, reason: `FAILED: metric is missing now but the baseline had ${formatNumber(baselineValue)}` });
        continue;
      }
      const { drop } = metricDrop(metric, baselineValue, currentValue, policy);
      const passed = drop <= policy.max_drop + 1e-12;
      const shown = policy.mode === "relative" && baselineValue !== 0 ? `${formatDelta(drop * 100)}%` : formatDelta(drop);
      results.push({
        ...common,
        actual: currentValue,
        baseline: baselineValue,
        passed,
        reason: `${formatNumber(baselineValue)} -> ${formatNumber(currentValue)} (drop ${shown}, allowed ${limit})${passed || !statesFailure ? "" : ": FAILED"}`,
      });
    }
  }
  // A watched metric that no current entry has at all is a regression gate that silently disappeared.
  for (const ref of refs) {
    const present = current.targets.some((entry) => refSelects(ref, entry) && entry.metrics[ref.metric] !== undefined);
    if (!present) {
      results.push({
        gate: `${wording.gatePrefix}: ${formatMetricRef(ref)} drops at most ${limit}`,
        kind: wording.kind,
        metric: formatMetricRef(ref),
        passed: false,
        reason: `FAILED: metric '${formatMetricRef(ref)}' is missing from the current results`,
      });
    }
  }
  return results;
}
