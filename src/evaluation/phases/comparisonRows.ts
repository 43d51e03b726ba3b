/**
 * Comparison tables trimmed and ordered for people: line counters say nothing about quality and double a table's
 * length; the gated metrics, which decide the verdict, come first.
 */
import type { ComparisonTable } from "..";
import { gatedFirst } from "../comparison";
import type { Gate } from "../gates/gate";

const counters = new Set(["lines", "failed", "scored_lines", "error_lines", "lines_scored"]);

export function forPeople(gates: readonly Gate[]): (table: ComparisonTable) => ComparisonTable {
  const gated = new Set(gates.map((gate) => gate.metric.metric));
  return (table) => gatedFirst({ ...table, rows: table.rows.filter((row) => !counters.has(row.metric)) }, gated);
}
