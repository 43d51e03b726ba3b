/**
 * Reading a finished bulk run back as the evaluation core's RunLines: the line-ordered outputs.jsonl, joined with
 * the dataset rows `${data.*}` mappings read. Evaluation holds the lines of one run in memory (reports list them).
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { nonBlankLines, runFiles } from "../../runs/bulk";
import { joinData, parseRunRecords, type RunLine } from "..";
import { ConfigError } from "../../core/userError";
import { isRecord } from "../../core/values";

/** The rows of a JSONL dataset in line order (0-based among non-blank lines, as the bulk runner numbers them). */
export async function readDatasetRows(file: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const line of nonBlankLines(file)) {
    let row: unknown;
    try {
      row = JSON.parse(line.text);
    } catch (err) {
      throw new ConfigError(file, `line ${line.fileLine}`, "a JSON object", `invalid JSON (${(err as Error).message})`);
    }
    // A row that is not an object still occupies its line number; the bulk runner failed that line already.
    rows.push(isRecord(row) ? row : {});
  }
  return rows;
}

/** The run's lines from `<runDir>/outputs.jsonl`, without dataset rows. */
export async function readRunLines(runDir: string): Promise<RunLine[]> {
  const file = path.join(runDir, runFiles.outputs);
  return parseRunRecords(await fs.readFile(file, "utf8"), file);
}

/** Rows cached per file: several evaluators and targets read the same dataset. */
export class DatasetRowCache {
  private readonly rows = new Map<string, Promise<Record<string, unknown>[]>>();

  get(file: string): Promise<Record<string, unknown>[]> {
    let rows = this.rows.get(file);
    if (rows === undefined) {
      rows = readDatasetRows(file);
      this.rows.set(file, rows);
    }
    return rows;
  }

  async join(lines: RunLine[], file: string): Promise<RunLine[]> {
    return joinData(lines, await this.get(file));
  }
}
