/**
 * Checking threshold gates against a run's metrics entries. An unqualified gate applies to every entry that has
 * the metric (every variant and deployment must meet the bar); a gate whose metric no entry has fails, because a
 * gate that silently passes when its metric vanished (a renamed evaluator, a crashed aggregation) guards nothing.
 * For the same reason a gate never passes on an entry whose lines all failed: a latency or a score computed over
 * no successful line measures nothing.
 */
import { formatNumber } from "../formatNumber";
import type { MetricsEntry } from "../metricsFile";
import { compare, type Gate } from "./gate";
import type { GateResult } from "./gateResult";
import { formatMetricRef, refSelects } from "./metricRef";

function availableMetrics(entries: MetricsEntry[]): string {
  const names = new Set<string>();
  for (const entry of entries) for (const metric of Object.keys(entry.metrics)) names.add(`${entry.dataset}/${entry.evaluator}.${metric}`);
  const list = [...names].sort();
  if (list.length === 0) return "no metrics were produced";
  return `available: ${list.slice(0, 12).join(", ")}${list.length > 12 ? `, … (${list.length} in all)` : ""}`;
}

/** `statesFailure: false` leaves ": FAILED" out of a failed result's reason, for results shown only as information. */
export function evaluateGate(gate: Gate, entries: MetricsEntry[], { statesFailure = true }: { statesFailure?: boolean } = {}): GateResult[] {
  const expected = `${gate.operator} ${formatNumber(gate.threshold)}`;
  const metric = formatMetricRef(gate.metric);
  const selected = entries.filter((entry) => refSelects(gate.metric, entry) && entry.metrics[gate.metric.metric] !== undefined);
  if (selected.length === 0) {
    return [
      {
        gate: gate.source,
        kind: "threshold",
        metric,
        expected,
        passed: false,
        reason: `FAILED: metric '${metric}' is missing from the results (${availableMetrics(entries)})`,
      },
    ];
  }
  return selected.map((entry) => {
    const actual = entry.metrics[gate.metric.metric];
    const allFailed = entry.lines > 0 && entry.failed >= entry.lines;
    const passed = !allFailed && compare(actual, gate.operator, gate.threshold);
    const verdict = allFailed ? `: FAILED (all ${entry.lines} lines failed)` : passed || !statesFailure ? "" : ": FAILED";
    return {
      gate: gate.source,
      kind: "threshold",
      target_id: entry.id,
      target_label: entry.label,
      metric: `${entry.dataset}/${entry.evaluator}.${gate.metric.metric}`,
      actual,
      expected,
      passed,
      reason: `${gate.metric.metric} = ${formatNumber(actual)} on ${entry.label}, required ${expected}${verdict}`,
    };
  });
}

export function evaluateGates(gates: Gate[], entries: MetricsEntry[], options: { statesFailure?: boolean } = {}): GateResult[] {
  return gates.flatMap((gate) => evaluateGate(gate, entries, options));
}

export function allPassed(results: GateResult[]): boolean {
  return results.every((result) => result.passed);
}
