/**
 * Side-by-side comparison tables, as plain data that both report.md and report.html render:
 * - A/B: the prior and the current deployment of an endpoint on the same dataset and evaluator.
 * - against a baseline: each entry next to the same entry of an earlier run (also deployed vs pre-deployment).
 */
import { metricTraits } from "./metricTraits";
import type { MetricsEntry, MetricsFile } from "./metricsFile";

export type ComparisonVerdict = "better" | "worse" | "same" | "changed" | "missing";

export interface ComparisonRow {
  /** `<dataset>/<evaluator>`. */
  group: string;
  metric: string;
  left?: number;
  right?: number;
  /** right - left. */
  delta?: number;
  verdict: ComparisonVerdict;
}

export interface ComparisonTable {
  title: string;
  leftLabel: string;
  rightLabel: string;
  rows: ComparisonRow[];
}

/** Within the metric's noise it is the same; a neutral metric (a count) only ever "changed". */
function direction(metric: string, left: number, right: number): ComparisonVerdict {
  const traits = metricTraits(metric);
  if (Math.abs(right - left) <= traits.noise(left)) return "same";
  if (traits.direction === "neutral") return "changed";
  const improved = traits.direction === "lower" ? right < left : right > left;
  return improved ? "better" : "worse";
}

/** Rows of the gated metrics first (what decides the verdict), then the others; alphabetical within each. */
export function gatedFirst(table: ComparisonTable, gatedMetrics: ReadonlySet<string>): ComparisonTable {
  const rank = (row: ComparisonRow): number => (gatedMetrics.has(row.metric) ? 0 : 1);
  return { ...table, rows: [...table.rows].sort((a, b) => rank(a) - rank(b)) };
}

function rowsFor(left: MetricsEntry | undefined, right: MetricsEntry | undefined, group: string): ComparisonRow[] {
  const metrics = [...new Set([...Object.keys(left?.metrics ?? {}), ...Object.keys(right?.metrics ?? {})])].sort();
  return metrics.map((metric) => {
    const a = left?.metrics[metric];
    const b = right?.metrics[metric];
    const row: ComparisonRow = { group, metric, verdict: "missing" };
    if (a !== undefined) row.left = a;
    if (b !== undefined) row.right = b;
    if (a !== undefined && b !== undefined) {
      row.delta = b - a;
      row.verdict = direction(metric, a, b);
    }
    return row;
  });
}

/** Prior vs current deployment of `endpoint`, per dataset and evaluator. Empty when either has no entries. */
export function abComparison(file: MetricsFile, endpoint: string, prior: string, current: string): ComparisonTable {
  const of = (deployment: string): Map<string, MetricsEntry> =>
    new Map(
      file.targets
        .filter((entry) => entry.target.kind === "deployment" && entry.target.endpoint === endpoint && entry.target.deployment === deployment)
        .map((entry) => [`${entry.dataset}/${entry.evaluator}`, entry]),
    );
  const left = of(prior);
  const right = of(current);
  const groups = [...new Set([...left.keys(), ...right.keys()])].sort();
  const rows = left.size === 0 || right.size === 0 ? [] : groups.flatMap((group) => rowsFor(left.get(group), right.get(group), group));
  return { title: `A/B: ${endpoint} prior vs current deployment`, leftLabel: prior, rightLabel: current, rows };
}

/** How a baseline table names itself and its two sides; the default is the previous run of the same phase. */
export interface BaselineTableWording {
  title: (label: string) => string;
  leftLabel: string;
  rightLabel: string;
}

/**
 * The regression table: each current entry next to the baseline entry with the same id (the previous run of the
 * same phase), one table per variant/deployment. Entries new since the baseline are left out.
 */
export function baselineComparison(
  baseline: MetricsFile,
  current: MetricsFile,
  wording: BaselineTableWording = {
    title: (label) => `Against baseline ${baseline.run_id}: ${label}`,
    leftLabel: `baseline (${baseline.run_id})`,
    rightLabel: `current (${current.run_id})`,
  },
): ComparisonTable[] {
  const before = new Map(baseline.targets.map((entry) => [entry.id, entry]));
  const byLabel = new Map<string, ComparisonRow[]>();
  for (const entry of current.targets) {
    const previous = before.get(entry.id);
    if (previous === undefined) continue;
    const rows = byLabel.get(entry.label) ?? [];
    rows.push(...rowsFor(previous, entry, `${entry.dataset}/${entry.evaluator}`));
    byLabel.set(entry.label, rows);
  }
  return [...byLabel].map(([label, rows]) => ({ title: wording.title(label), leftLabel: wording.leftLabel, rightLabel: wording.rightLabel, rows }));
}
