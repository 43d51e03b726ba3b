import type { ValueChange } from "./types";
import { isRecord } from "../../core/values";

/** `a.b[2].c`, quoting keys that are not plain identifiers so paths stay unambiguous. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  const plain = /^[A-Za-z_$][\w$-]*$/.test(key);
  if (!plain) return `${base}[${JSON.stringify(key)}]`;
  return base === "" ? key : `${base}.${key}`;
}

export interface DiffOptions {
  /**
   * Treat 90 and "90" as equal. Right for deployment_config.json, whose template format writes allocations
   * either way; wrong for resource inputs, where the type reaches Azure.
   */
  looseNumbers?: boolean;
}

/**
 * Every leaf that differs between two JSON-like values, in a stable order (object keys sorted, arrays by index).
 * An object on one side and a leaf on the other is one change at that path.
 */
export function diffValues(from: unknown, to: unknown, path = "", options: DiffOptions = {}): ValueChange[] {
  if (isRecord(from) && isRecord(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    return keys.flatMap((key) => diffValues(from[key], to[key], joinPath(path, key), options));
  }
  if (Array.isArray(from) && Array.isArray(to)) {
    const length = Math.max(from.length, to.length);
    const changes: ValueChange[] = [];
    for (let index = 0; index < length; index++) {
      changes.push(...diffValues(from[index], to[index], joinPath(path, index), options));
    }
    return changes;
  }
  if (from === undefined && to === undefined) return [];
  if (isLeafEqual(from, to, options.looseNumbers === true)) return [];
  const change: ValueChange = { path: path === "" ? "(value)" : path };
  if (from !== undefined) change.from = from;
  if (to !== undefined) change.to = to;
  return [change];
}

function isLeafEqual(a: unknown, b: unknown, looseNumbers: boolean): boolean {
  if (a === b) return true;
  if (looseNumbers && (typeof a === "number" && typeof b === "string") || (typeof a === "string" && typeof b === "number")) {
    return String(a) === String(b);
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/** One-line rendering of a diffed value for tables: strings as is, "" quoted, absent as "—", the rest as compact JSON. */
export function formatValue(value: unknown): string {
  if (value === undefined) return "—";
  if (value === "") return '""';
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}
