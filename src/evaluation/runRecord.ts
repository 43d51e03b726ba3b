/**
 * Reading the bulk runner's per-line records (`records.jsonl` / `outputs.jsonl`: `{line_number, status, inputs,
 * outputs, error?, duration_ms, usage}`) into RunLines. Usage may be camelCase (TokenUsage) or the snake_case
 * OpenAI form; anything unreadable is a ConfigError naming the file and line.
 */
import { ConfigError } from "../core/userError";
import type { TokenUsage } from "../llm/types";
import type { RunLine } from "./types";
import { isRecord } from "../core/values";

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

function readUsage(value: unknown): TokenUsage | undefined {
  if (!isRecord(value)) return undefined;
  return {
    promptTokens: count(value.promptTokens ?? value.prompt_tokens ?? value.prompt),
    completionTokens: count(value.completionTokens ?? value.completion_tokens ?? value.completion),
    totalTokens: count(value.totalTokens ?? value.total_tokens ?? value.total),
  };
}

export function runLineFromRecord(record: unknown, file: string, position: string): RunLine {
  if (!isRecord(record)) throw new ConfigError(file, position, "a JSON object per line", typeof record);
  const lineNumber = record.line_number;
  if (typeof lineNumber !== "number" || !Number.isInteger(lineNumber)) {
    throw new ConfigError(file, `${position}.line_number`, "an integer", typeof lineNumber);
  }
  if (record.status !== "Completed" && record.status !== "Failed") {
    throw new ConfigError(file, `${position}.status`, '"Completed" or "Failed"', String(record.status));
  }
  const line: RunLine = {
    lineNumber,
    status: record.status,
    inputs: isRecord(record.inputs) ? record.inputs : {},
    outputs: isRecord(record.outputs) ? record.outputs : {},
  };
  if (isRecord(record.error)) {
    line.error = {
      message: typeof record.error.message === "string" ? record.error.message : "unknown error",
      type: typeof record.error.type === "string" ? record.error.type : "Error",
    };
  }
  if (typeof record.duration_ms === "number" && Number.isFinite(record.duration_ms)) line.durationMs = record.duration_ms;
  const usage = readUsage(record.usage);
  if (usage !== undefined) line.usage = usage;
  return line;
}

/** Parses JSONL text of records; blank lines are skipped. Pair each line with its reference row via `joinData`. */
export function parseRunRecords(text: string, file: string): RunLine[] {
  const lines: RunLine[] = [];
  text.split("\n").forEach((raw, index) => {
    if (raw.trim() === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (err) {
      throw new ConfigError(file, `line ${index + 1}`, "valid JSON", `a parse error (${(err as Error).message})`);
    }
    lines.push(runLineFromRecord(parsed, file, `line ${index + 1}`));
  });
  return lines;
}

/** Attaches the reference dataset's rows (0-based, in file order) to lines by line number, for `${data.col}`. */
export function joinData(lines: RunLine[], rows: Record<string, unknown>[]): RunLine[] {
  return lines.map((line) => {
    const row = rows[line.lineNumber];
    return row === undefined ? line : { ...line, data: row };
  });
}
