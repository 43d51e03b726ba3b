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
    const fromByName = byName(from);
    const toByName = byName(to);
    if (fromByName !== undefined && toByName !== undefined) {
      // Lists of named entries (a Web App's app settings) match by name: removing one is one change, not a
      // shift of every entry after it.
      const names = [...new Set([...fromByName.keys(), ...toByName.keys()])].sort();
      return names.flatMap((name) => diffValues(fromByName.get(name), toByName.get(name), joinPath(path, name), options));
    }
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

/** The entries of a list of `{name, ...}` objects by name, or undefined when it is not such a list (or names repeat). */
function byName(list: readonly unknown[]): Map<string, unknown> | undefined {
  const entries = new Map<string, unknown>();
  for (const item of list) {
    if (!isRecord(item) || typeof item.name !== "string" || entries.has(item.name)) return undefined;
    entries.set(item.name, item);
  }
  return entries.size > 0 ? entries : undefined;
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
