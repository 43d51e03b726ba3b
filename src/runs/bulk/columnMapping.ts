/**
 * Column mapping: which dataset column (or base-run output/input) feeds which input, in prompt flow's syntax:
 * `${data.col}`, `${run.outputs.x}`, `${run.inputs.x}`, anything else a literal. Pure: parsing and applying
 * are tested without files.
 */
import { UserError } from "../../core/userError";
import type { LineRecord } from "./types";

export type MappingSource =
  | { kind: "data"; column: string }
  | { kind: "run.outputs"; column: string }
  | { kind: "run.inputs"; column: string }
  | { kind: "literal"; value: unknown };

export interface ColumnMapping {
  entries: { input: string; reference: string; source: MappingSource }[];
  /** Inputs filled from same-named columns when the mapping does not name them. */
  defaultColumns: string[];
  usesBaseRun: boolean;
}

const reference = /^\$\{([^}]*)\}$/;

export function parseMappingValue(input: string, value: unknown): MappingSource {
  const match = typeof value === "string" ? reference.exec(value.trim()) : null;
  if (!match) return { kind: "literal", value };
  const path = match[1].trim();
  for (const kind of ["data", "run.outputs", "run.inputs"] as const) {
    if (path.startsWith(`${kind}.`) && path.length > kind.length + 1) return { kind, column: path.slice(kind.length + 1) };
  }
  throw new UserError(
    `column mapping '${input}': '${String(value)}' is not a reference this runner knows; use \${data.<column>}, \${run.outputs.<output>} or \${run.inputs.<input>}`,
  );
}

/**
 * No mapping means every input comes from the same-named column (the whole row). With a mapping, `inputNames`
 * (the target's declared inputs, when known) not mapped still take same-named columns, as prompt flow does.
 */
export function parseColumnMapping(mapping: Record<string, unknown> | undefined, inputNames: readonly string[] = []): ColumnMapping {
  const entries = Object.entries(mapping ?? {}).map(([input, value]) => ({ input, reference: String(value), source: parseMappingValue(input, value) }));
  const mapped = new Set(entries.map((entry) => entry.input));
  return {
    entries,
    defaultColumns: inputNames.filter((name) => !mapped.has(name)),
    usesBaseRun: entries.some((entry) => entry.source.kind !== "data" && entry.source.kind !== "literal"),
  };
}

/** Exact key first (columns may contain dots), then a dotted path into nested objects. */
function lookup(row: Record<string, unknown>, column: string): { found: boolean; value?: unknown } {
  if (Object.prototype.hasOwnProperty.call(row, column)) return { found: true, value: row[column] };
  let current: unknown = row;
  for (const key of column.split(".")) {
    if (typeof current !== "object" || current === null || !Object.prototype.hasOwnProperty.call(current, key)) return { found: false };
    current = (current as Record<string, unknown>)[key];
  }
  return { found: true, value: current };
}

function listKeys(value: Record<string, unknown>): string {
  const keys = Object.keys(value);
  return keys.length === 0 ? "none" : keys.slice(0, 20).join(", ") + (keys.length > 20 ? ", ..." : "");
}

export type MappedInputs =
  | { ok: true; inputs: Record<string, unknown> }
  /** `from` says whether the dataset row or the base run lacked the value. */
  | { ok: false; from: "data" | "run"; message: string };

/** `base` is the base run's record for the same line number (undefined when it has none). */
export function applyColumnMapping(mapping: ColumnMapping, row: Record<string, unknown>, base?: LineRecord): MappedInputs {
  if (mapping.entries.length === 0) return { ok: true, inputs: { ...row } };
  const inputs: Record<string, unknown> = {};
  for (const name of mapping.defaultColumns) if (Object.prototype.hasOwnProperty.call(row, name)) inputs[name] = row[name];
  for (const { input, reference: ref, source } of mapping.entries) {
    const where = `column mapping '${input}' = '${ref}'`;
    if (source.kind === "literal") {
      inputs[input] = source.value;
      continue;
    }
    if (source.kind === "data") {
      const found = lookup(row, source.column);
      if (!found.found) return { ok: false, from: "data", message: `${where}: the data has no column '${source.column}' (columns: ${listKeys(row)})` };
      inputs[input] = found.value;
      continue;
    }
    if (!base) return { ok: false, from: "run", message: `${where}: the base run has no record for this line` };
    if (source.kind === "run.outputs" && base.status !== "Completed") {
      return { ok: false, from: "run", message: `${where}: the base run's line ${base.line_number} failed, so it has no outputs` };
    }
    const values = source.kind === "run.outputs" ? base.outputs : base.inputs;
    const found = lookup(values, source.column);
    const what = source.kind === "run.outputs" ? "output" : "input";
    if (!found.found) return { ok: false, from: "run", message: `${where}: the base run has no ${what} '${source.column}' (${what}s: ${listKeys(values)})` };
    inputs[input] = found.value;
  }
  return { ok: true, inputs };
}
