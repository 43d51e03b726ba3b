import type { ValueSource } from "./types";

/** Only a whole-string `${...}` is a reference; `"see ${inputs.x}"` stays a literal, as in prompt flow. */
const WHOLE_REFERENCE = /^\$\{([^{}]*)\}$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export type ParsedReference =
  | { ok: true; source: ValueSource }
  | { ok: false; expected: string };

/** Turns a YAML value into a ValueSource; a malformed `${...}` says what was expected instead. */
export function parseValueSource(value: unknown): ParsedReference {
  if (typeof value !== "string") return { ok: true, source: { kind: "literal", value } };
  const match = WHOLE_REFERENCE.exec(value.trim());
  if (!match) return { ok: true, source: { kind: "literal", value } };
  const text = value.trim();
  const parts = match[1].trim().split(".");
  if (parts[0] === "inputs") {
    if (parts.length === 2 && IDENTIFIER.test(parts[1])) {
      return { ok: true, source: { kind: "input", name: parts[1], text } };
    }
    return { ok: false, expected: "${inputs.<name>}" };
  }
  if (parts.length >= 2 && IDENTIFIER.test(parts[0]) && parts[1] === "output" && parts.slice(2).every((p) => p.length > 0)) {
    return { ok: true, source: { kind: "node", node: parts[0], path: parts.slice(2), text } };
  }
  return { ok: false, expected: "${inputs.<name>}, ${<node>.output} or ${<node>.output.<key>}" };
}
