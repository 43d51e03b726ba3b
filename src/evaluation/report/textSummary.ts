/**
 * What `llmops evaluate` prints on a terminal: the verdict, each gate, each metric set and the comparisons as
 * plain text (report.md is for pull-request comments; its escapes, `\_` and `&gt;`, are noise on a terminal).
 * Control characters in names and values are shown escaped, so dataset text cannot move the cursor or recolour
 * the terminal.
 */
import { formatDelta, formatNumber } from "../formatNumber";
import { displayedMetrics, gateSummary, gateTarget, groupEntries, type ReportData } from "./reportData";

/** C0/C1 controls and bidi overrides, shown as \u escapes. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const value = (number: number | undefined): string => (number === undefined ? "-" : formatNumber(number));

export function renderTextSummary(data: ReportData): string {
  const { metrics } = data;
  const summary = gateSummary(metrics);
  const verdict = metrics.gates.length === 0 ? "no gates" : summary.ok ? "gates PASSED" : "gates FAILED";
  const out: string[] = [
    `${printable(data.title)}: ${verdict}`,
    `run ${printable(metrics.run_id)}, phase ${metrics.phase}: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`,
  ];
  if (metrics.gates.length > 0) {
    out.push("", "Gates");
    for (const gate of metrics.gates) {
      const mark = gate.passed ? (gate.skipped ? "skip" : "pass") : "FAIL";
      const target = gateTarget(metrics, gate);
      out.push(`  ${mark}  ${printable(gate.gate)}${target !== undefined ? ` [${printable(target)}]` : ""}: ${printable(gate.reason)}`);
    }
  }
  for (const { group, entries } of groupEntries(metrics.targets)) {
    out.push("", printable(group));
    const names = displayedMetrics(entries);
    for (const entry of entries) {
      const figures = names.filter((name) => entry.metrics[name] !== undefined).map((name) => `${printable(name)} ${value(entry.metrics[name])}`);
      out.push(`  ${printable(entry.label)} (${entry.lines} lines, ${entry.failed} failed): ${figures.join(", ") || "no metrics"}`);
    }
  }
  for (const comparison of data.comparisons) {
    if (comparison.rows.length === 0) continue;
    out.push("", `${printable(comparison.title)} (${printable(comparison.leftLabel)} -> ${printable(comparison.rightLabel)})`);
    for (const row of comparison.rows) {
      const delta = row.delta === undefined ? "" : ` (${formatDelta(row.delta)})`;
      out.push(`  ${printable(`${row.group}.${row.metric}`)}: ${value(row.left)} -> ${value(row.right)}${delta} ${row.verdict}`);
    }
  }
  return `${out.join("\n")}\n`;
}
