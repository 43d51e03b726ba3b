/**
 * report.md: a short summary for a pull-request comment or $GITHUB_STEP_SUMMARY: verdict, gates, metrics per
 * dataset/evaluator, and comparison tables. Kept small (tables capped) because PR comments are limited to 65 536
 * characters; the full detail lives in report.html and results.csv.
 */
import { formatDelta, formatNumber } from "../formatNumber";
import { markdownCell } from "./escape";
import { displayedMetrics, gateSummary, gateTarget, groupEntries, type ReportData } from "./reportData";

const maxGateRows = 60;
/** Metric columns per table: wider tables are split (never cut), so every metric shows and each fits a PR comment. */
const maxMetricColumns = 8;

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => " --- ").join("|")}|`, ...rows.map((row) => `| ${row.join(" | ")} |`)];
}

const value = (number: number | undefined): string => (number === undefined ? "–" : formatNumber(number));

export function renderMarkdownReport(data: ReportData): string {
  const { metrics } = data;
  const summary = gateSummary(metrics);
  const verdict = metrics.gates.length === 0 ? "no gates" : summary.ok ? "✅ gates passed" : "❌ gates failed";
  const out: string[] = [
    `## ${markdownCell(data.title)}: ${verdict}`,
    "",
    `Run \`${metrics.run_id.replace(/`/g, "")}\` · phase **${metrics.phase}** · ${metrics.created_at} · ` +
      `${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`,
    "",
  ];
  if (metrics.gates.length > 0) {
    out.push("### Gates", "");
    const rows = metrics.gates.slice(0, maxGateRows).map((gate) => [
      gate.passed ? (gate.skipped ? "⏭️" : "✅") : "❌",
      markdownCell(gate.gate),
      markdownCell(gateTarget(metrics, gate) ?? "–"),
      value(gate.actual),
      markdownCell(gate.expected ?? "–"),
      markdownCell(gate.reason),
    ]);
    out.push(...table(["", "Gate", "Target", "Actual", "Expected", "Detail"], rows));
    if (metrics.gates.length > maxGateRows) out.push("", `… and ${metrics.gates.length - maxGateRows} more in report.html / junit.xml.`);
    out.push("");
  }
  if (metrics.targets.length > 0) out.push("### Metrics", "");
  for (const { group, entries } of groupEntries(metrics.targets)) {
    const all = displayedMetrics(entries);
    out.push(`**${markdownCell(group)}**`, "");
    for (let start = 0; start === 0 || start < all.length; start += maxMetricColumns) {
      const names = all.slice(start, start + maxMetricColumns);
      const rows = entries.map((entry) => [
        markdownCell(entry.label),
        String(entry.lines),
        String(entry.failed),
        ...names.map((name) => value(entry.metrics[name])),
      ]);
      out.push(...table(["Variant / deployment", "Lines", "Failed", ...names.map(markdownCell)], rows), "");
    }
  }
  for (const comparison of data.comparisons) {
    if (comparison.rows.length === 0) continue;
    out.push(`### ${markdownCell(comparison.title)}`, "");
    const rows = comparison.rows.map((row) => [
      markdownCell(`${row.group}.${row.metric}`),
      value(row.left),
      value(row.right),
      row.delta === undefined ? "–" : formatDelta(row.delta),
      row.verdict,
    ]);
    const header = ["Metric", markdownCell(comparison.leftLabel), markdownCell(comparison.rightLabel), "Delta", "Verdict"];
    out.push(...table(header, rows), "");
  }
  return `${out.join("\n").trimEnd()}\n`;
}
