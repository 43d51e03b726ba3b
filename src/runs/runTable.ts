/** The table `llmops run` prints after its runs: one row per run, figures a person scans for problems. */
import { formatDuration } from "../core/formatDuration";
import type { RunSummary } from "./bulk/types";

export interface RunTableRow {
  name: string;
  summary: Pick<RunSummary, "status" | "total" | "completed" | "failed" | "usage" | "duration_ms" | "latency_ms">;
}

function thousands(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

export function formatRunTable(rows: readonly RunTableRow[]): string {
  const header = ["RUN", "STATUS", "LINES", "FAILED", "TOKENS", "P95", "DURATION"];
  const body = rows.map(({ name, summary }) => [
    name,
    summary.status,
    thousands(summary.total),
    thousands(summary.failed),
    thousands(summary.usage.total),
    formatDuration(summary.latency_ms.p95),
    formatDuration(summary.duration_ms),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((row) => row[column]!.length)));
  // Text columns left-aligned, figures right-aligned.
  const line = (cells: string[]): string =>
    cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ").trimEnd();
  return [line(header), ...body.map(line)].join("\n");
}
