/**
 * results.csv: one row per line per run with every evaluator's scores, RFC 4180 (CRLF line ends, quoted fields)
 * and guarded against formula injection (see csvField). Produced as chunks so large runs stream to disk.
 */
import type { ReportLine } from "../assemble";
import { csvField } from "./escape";

const fixedColumns = ["run", "dataset", "line_number", "status", "outcome", "duration_ms", "error", "inputs", "outputs"];

export function* renderResultsCsv(lines: ReportLine[]): Generator<string> {
  const scoreNames = [...new Set(lines.flatMap((line) => Object.keys(line.scores)))].sort();
  yield `${[...fixedColumns, ...scoreNames, "notes"].map(csvField).join(",")}\r\n`;
  for (const line of lines) {
    const fields = [
      csvField(line.run),
      csvField(line.dataset),
      csvField(line.lineNumber),
      csvField(line.status),
      csvField(line.outcome),
      csvField(line.durationMs),
      csvField(line.error),
      csvField(JSON.stringify(line.inputs)),
      csvField(JSON.stringify(line.outputs)),
      ...scoreNames.map((name) => csvField(line.scores[name])),
      csvField(line.notes.join("; ")),
    ];
    yield `${fields.join(",")}\r\n`;
  }
}
