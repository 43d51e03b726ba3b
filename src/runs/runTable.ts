/** The table `llmops run` prints after its runs: one row per run, figures a person scans for problems. */
import { escapeControlCharacters } from "../core/controlCharacters";
import { formatDuration } from "../core/formatDuration";
import type { RunSummary } from "./bulk/types";

export interface RunTableRow {
  name: string;
  summary: Pick<RunSummary, "status" | "total" | "completed" | "failed" | "usage" | "duration_ms" | "latency_ms" | "errors">;
}

function thousands(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

export function formatRunTable(rows: readonly RunTableRow[]): string {
  const header = ["RUN", "STATUS", "LINES", "FAILED", "TOKENS", "P95", "DURATION"];
  const body = rows.map(({ name, summary }) => [
    escapeControlCharacters(name),
    summary.status,
    thousands(summary.total),
    thousands(summary.failed),
    thousands(summary.usage.total),
    formatDuration(summary.latency_ms.p95),
    formatDuration(summary.duration_ms),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((row) => row[column].length)));
  // Text columns left-aligned, figures right-aligned.
  const line = (cells: string[]): string =>
    cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join("  ").trimEnd();
  return [line(header), ...body.map(line)].join("\n");
}

const maxMessageLength = 200;

function oneLine(text: string): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, " ").trim();
  return flat.length > maxMessageLength ? `${flat.slice(0, maxMessageLength - 3)}...` : flat;
}

/**
 * The distinct errors of each run with failed lines: how many lines, the first line that failed that way (its
 * `line_number` in records.jsonl) and the message. Empty when every line completed.
 */
export function formatRunErrors(rows: readonly { name: string; summary: Pick<RunSummary, "failed" | "errors"> }[]): string {
  const blocks: string[] = [];
  for (const { name, summary } of rows) {
    if (summary.failed === 0) continue;
    const lines = [`${name}: ${thousands(summary.failed)} failed line${summary.failed === 1 ? "" : "s"}`];
    for (const error of summary.errors) {
      const where = error.node !== undefined ? ` in node ${error.node}` : "";
      lines.push(`  ${thousands(error.count)} x ${error.type}${where}, first at line ${error.first_line}: ${oneLine(error.message)}`);
    }
    const listed = (summary.errors).reduce((sum, error) => sum + error.count, 0);
    if (listed < summary.failed) lines.push(`  ${thousands(summary.failed - listed)} more with other errors (see records.jsonl)`);
    blocks.push(lines.join("\n"));
  }
  return blocks.join("\n");
}
