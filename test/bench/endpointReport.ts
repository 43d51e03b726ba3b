/**
 * The endpoint benchmark's figures as plain data: each tool's repeated runs reduced to medians, the ideal rate
 * (concurrency / latency: every slot always waiting on the endpoint, zero overhead), and the printed table. Pure.
 */

/** One measured run of one tool. */
export interface ToolRun {
  /** Rows the tool reported a result for (scored, failed or errored). */
  rows: number;
  /** Rows that got a score (ours: evaluator lines without error; promptfoo: results without an error). */
  scored: number;
  passed: number;
  /** The workload: bulk run + evaluation for ours, promptfoo's own evaluation time for promptfoo. */
  seconds: number;
  /** The whole process, startup and install checks included. */
  wallSeconds: number;
  latencyMs: { p50: number; p95: number };
  peakRssMb: number | undefined;
  /** User + system CPU of the tool's whole process tree: what the work cost, however loaded the machine was. */
  cpuSeconds: number | undefined;
  /** Requests the endpoint answered during the run: one per row unless the tool retried or skipped rows. */
  endpointRequests: number;
  /** CPU the endpoint process spent serving the run: on a 2-core machine it competes with the tool. */
  endpointCpuSeconds: number;
}

export interface ToolSummary {
  tool: string;
  rows: number;
  concurrency: number;
  runs: number;
  /** Medians over the runs from here on. */
  seconds: number;
  wallSeconds: number;
  rowsPerSecond: number;
  percentOfIdeal: number;
  p50Ms: number;
  p95Ms: number;
  peakRssMb: number | undefined;
  /** Process CPU (startup included) per row. */
  cpuMsPerRow: number | undefined;
  endpointCpuMsPerRow: number;
  passed: number;
  /** Every run scored every row. */
  allRowsScored: boolean;
}

export interface BenchSettings {
  rows: number;
  concurrency: number;
  latencyMs: number;
}

/** Median; the mean of the middle two for an even count; NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function idealRowsPerSecond(settings: BenchSettings): number {
  return (settings.concurrency * 1000) / settings.latencyMs;
}

export function summarizeTool(tool: string, runs: readonly ToolRun[], settings: BenchSettings): ToolSummary {
  const seconds = median(runs.map((run) => run.seconds));
  const rowsPerSecond = settings.rows / seconds;
  const rss = runs.map((run) => run.peakRssMb).filter((mb): mb is number => mb !== undefined);
  const cpu = runs.map((run) => run.cpuSeconds).filter((seconds): seconds is number => seconds !== undefined);
  return {
    tool,
    rows: settings.rows,
    concurrency: settings.concurrency,
    runs: runs.length,
    seconds,
    wallSeconds: median(runs.map((run) => run.wallSeconds)),
    rowsPerSecond,
    percentOfIdeal: (100 * rowsPerSecond) / idealRowsPerSecond(settings),
    p50Ms: median(runs.map((run) => run.latencyMs.p50)),
    p95Ms: median(runs.map((run) => run.latencyMs.p95)),
    peakRssMb: rss.length === 0 ? undefined : median(rss),
    cpuMsPerRow: cpu.length === 0 ? undefined : (1000 * median(cpu)) / settings.rows,
    endpointCpuMsPerRow: (1000 * median(runs.map((run) => run.endpointCpuSeconds))) / settings.rows,
    passed: median(runs.map((run) => run.passed)),
    allRowsScored: runs.length > 0 && runs.every((run) => run.rows === settings.rows && run.scored === settings.rows),
  };
}

const columns: { title: string; cell: (s: ToolSummary) => string }[] = [
  { title: "tool", cell: (s) => s.tool },
  { title: "rows", cell: (s) => String(s.rows) },
  { title: "concurrency", cell: (s) => String(s.concurrency) },
  { title: "runs", cell: (s) => String(s.runs) },
  { title: "seconds", cell: (s) => s.seconds.toFixed(2) },
  { title: "rows/s", cell: (s) => s.rowsPerSecond.toFixed(0) },
  { title: "% of ideal", cell: (s) => s.percentOfIdeal.toFixed(1) },
  { title: "p50 ms", cell: (s) => s.p50Ms.toFixed(1) },
  { title: "p95 ms", cell: (s) => s.p95Ms.toFixed(1) },
  { title: "peak RSS MB", cell: (s) => (s.peakRssMb === undefined ? "n/a" : s.peakRssMb.toFixed(0)) },
  { title: "CPU ms/row", cell: (s) => (s.cpuMsPerRow === undefined ? "n/a" : s.cpuMsPerRow.toFixed(2)) },
  { title: "pass", cell: (s) => String(s.passed) },
  { title: "process s", cell: (s) => s.wallSeconds.toFixed(2) },
];

/** A markdown table, readable in a terminal and pasteable into the README. */
export function formatTable(summaries: readonly ToolSummary[]): string {
  const cells = [columns.map((c) => c.title), ...summaries.map((s) => columns.map((c) => c.cell(s)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row: string[]): string => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
  return [line(cells[0]), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.slice(1).map(line)].join("\n");
}
