import type { ReportLine } from "../assemble";
import type { ComparisonTable } from "../comparison";
import type { GateResult } from "../gates/gateResult";
import type { MetricsEntry, MetricsFile } from "../metricsFile";

/** Everything the report writers render; built by the pure functions in ../assemble.ts and ../comparison.ts. */
export interface ReportData {
  title: string;
  metrics: MetricsFile;
  lines: ReportLine[];
  comparisons: ComparisonTable[];
}

/** Line counters only clutter metric tables and charts: lines and failures are shown in their own columns. */
const countMetrics = new Set(["lines", "failed", "scored_lines", "error_lines"]);

/** The operational metrics people look at first; they lead the columns so capped tables keep them. */
const leadingMetrics = ["error_rate", "p50_latency_ms", "p95_latency_ms", "p99_latency_ms", "total_tokens", "mean_total_tokens"];

export function displayedMetrics(entries: MetricsEntry[]): string[] {
  const names = new Set<string>();
  for (const entry of entries) for (const name of Object.keys(entry.metrics)) if (!countMetrics.has(name)) names.add(name);
  const rank = (name: string): number => {
    const index = leadingMetrics.indexOf(name);
    return index < 0 ? leadingMetrics.length : index;
  };
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Entries grouped by `<dataset>/<evaluator>`, in first-seen order. */
export function groupEntries(entries: MetricsEntry[]): { group: string; entries: MetricsEntry[] }[] {
  const groups = new Map<string, MetricsEntry[]>();
  for (const entry of entries) {
    const key = `${entry.dataset}/${entry.evaluator}`;
    const list = groups.get(key) ?? [];
    list.push(entry);
    groups.set(key, list);
  }
  return [...groups].map(([group, list]) => ({ group, entries: list }));
}

/**
 * What a gate was checked on, as reports show it: the variant/deployment label and the `<dataset>/<evaluator>` of
 * its metrics entry. One gate (e.g. `error_rate <= 0.02`) is checked on every dataset's run of a variant, and the
 * label alone would make those rows look identical. Undefined when the gate names no target.
 */
export function gateTarget(metrics: MetricsFile, gate: GateResult): string | undefined {
  const entry = gate.target_id === undefined ? undefined : metrics.targets.find((candidate) => candidate.id === gate.target_id);
  if (entry === undefined) return gate.target_label;
  return `${gate.target_label ?? entry.label} (${entry.dataset}/${entry.evaluator})`;
}

export function gateSummary(metrics: MetricsFile): { passed: number; failed: number; skipped: number; ok: boolean } {
  const failed = metrics.gates.filter((gate) => !gate.passed).length;
  const skipped = metrics.gates.filter((gate) => gate.passed && gate.skipped === true).length;
  return { passed: metrics.gates.length - failed - skipped, failed, skipped, ok: failed === 0 };
}
