import type { FlowInputSpec } from "./flowFolder";
import type { FlowInput } from "./types";
import { pythonStr } from "./pythonValues";

/** A flow input that is missing or cannot be converted to its declared type: fails the line before any node. */
export class InputError extends Error {
  override readonly name = "InputError";
}

function toInt(name: string, value: unknown): number {
  if (typeof value === "boolean") return Number(value);
  if (typeof value === "number" && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === "string" && /^\s*[+-]?\d+(_\d+)*\s*$/.test(value)) return Number(value.replace(/_/g, ""));
  throw new InputError(`input '${name}' of type int: cannot convert ${JSON.stringify(value)}`);
}

function toDouble(name: string, value: unknown): number {
  if (typeof value === "boolean") return Number(value);
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "") {
    const text = value.trim().toLowerCase();
    const special: Record<string, number> = { nan: Number.NaN, inf: Infinity, "+inf": Infinity, "-inf": -Infinity, infinity: Infinity, "-infinity": -Infinity };
    const n = text in special ? special[text] : Number(text.replace(/_/g, ""));
    if (!Number.isNaN(n) || text === "nan") return n;
  }
  throw new InputError(`input '${name}' of type double: cannot convert ${JSON.stringify(value)}`);
}

/** Prompt flow takes only a bool or the strings true/false in any case: 1, "1" and " true" fail the line there. */
function toBool(name: string, value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const text = value.toLowerCase();
    if (text === "true") return true;
    if (text === "false") return false;
  }
  throw new InputError(`input '${name}' of type bool: cannot convert ${JSON.stringify(value)} (use true/false)`);
}

function toList(name: string, type: string, value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === "string") {
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // Reported below with the declared type.
    }
  }
  throw new InputError(`input '${name}' of type ${type}: expected a list or a JSON list string, found ${JSON.stringify(value)}`);
}

function toObject(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    // Prompt flow keeps a non-JSON string as it is for `object` inputs.
    return value;
  }
}

export function convertInput(input: FlowInput, value: unknown): unknown {
  switch (input.type) {
    case "string":
      return pythonStr(value);
    case "int":
      return toInt(input.name, value);
    case "double":
      return toDouble(input.name, value);
    case "bool":
      return toBool(input.name, value);
    case "list":
    case "chat_history":
      return toList(input.name, input.type, value);
    case "object":
      return toObject(value);
  }
}

/**
 * Pure: declared inputs converted by type; a missing (or null) value takes the default, and with no default the
 * line fails. Columns that are not declared inputs are ignored.
 */
export function convertInputs(declared: Record<string, FlowInput>, given: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const input of Object.values(declared)) {
    const value = given[input.name] ?? input.default;
    if (value === undefined || value === null) {
      throw new InputError(`input '${input.name}' is missing and has no default`);
    }
    result[input.name] = convertInput(input, value);
  }
  return result;
}

const knownTypes = new Set<string>(["string", "int", "double", "bool", "list", "object", "chat_history"]);

/**
 * Pure: inputs of a flex flow or prompty (FlowInterface inputs): a missing value takes the default; without one a
 * required input fails the line and an optional one is left to the Python default. Types prompt flow knows are
 * converted; others (a model configuration, a custom class) pass as given.
 */
export function convertInterfaceInputs(declared: readonly FlowInputSpec[], given: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const input of declared) {
    const value = given[input.name] ?? input.default;
    if (value === undefined || value === null) {
      if (input.required) throw new InputError(`input '${input.name}' is missing and has no default`);
      continue;
    }
    result[input.name] = knownTypes.has(input.type)
      ? convertInput({ name: input.name, type: input.type as FlowInput["type"], isChatInput: input.isChatInput }, value)
      : value;
  }
  return result;
}
