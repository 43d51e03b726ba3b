/** Comparison tables trimmed for people: line counters say nothing about quality and double a table's length. */
import type { ComparisonTable } from "..";

const counters = new Set(["lines", "failed", "scored_lines", "error_lines", "lines_scored"]);

export function withoutCounters(table: ComparisonTable): ComparisonTable {
  return { ...table, rows: table.rows.filter((row) => !counters.has(row.metric)) };
}
