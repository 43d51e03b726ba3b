/**
 * The one YAML reader (stack files, experiment files, flow files, connections files), on the `yaml` package:
 * YAML 1.2 core schema, merge keys, duplicate keys refused, and a limit on alias expansion so a "billion laughs"
 * document fails instead of exhausting memory. Returns plain data (objects, arrays, scalars).
 */
import { parseDocument, type YAMLError } from "yaml";
import { ConfigError } from "./userError";

/** Flow collections ([ and {) open at once; far above what a hand-written config uses. */
const maxFlowNesting = 100;

/** How deep `[`/`{` nest, quoted text skipped (a rough upper bound: brackets in block scalars count too). */
function flowNestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let quote: string | undefined;
  for (const char of text) {
    if (quote !== undefined) {
      if (char === quote || char === "\n") quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === "[" || char === "{") {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if ((char === "]" || char === "}") && depth > 0) {
      depth--;
    }
  }
  return deepest;
}

/** Aliases resolved per document; far above what a hand-written config uses. */
const maxAliasCount = 1000;

function describeError(error: YAMLError): string {
  const firstLine = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
  const position = error.linePos?.[0];
  return position ? `${firstLine} at line ${position.line}, column ${position.col}` : firstLine;
}

/** Parses YAML text; a syntax error is a ConfigError naming the file, the line and the column. */
export function parseYaml(text: string, file: string): unknown {
  // The parser recurses per nesting level; tens of thousands of `[` exhaust the process (not only the stack)
  // before it can report anything, so deep flow nesting is refused before parsing.
  if (flowNestingDepth(text) > maxFlowNesting) {
    throw new ConfigError(file, "$", `YAML nested at most ${maxFlowNesting} levels deep`, "deeper [ or { nesting");
  }
  const document = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true, logLevel: "silent" });
  // Warnings (an unknown tag, say) would otherwise turn into silently different data.
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem !== undefined) throw new ConfigError(file, "$", "valid YAML", describeError(problem));
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount });
  } catch (err) {
    throw new ConfigError(file, "$", "valid YAML", err instanceof Error ? err.message.split("\n")[0] : String(err));
  }
  // An alias inside its own anchor (`a: &a [*a]`) becomes a cyclic object: every reader that walks the data
  // (schemas, secret checks, JSON.stringify) would recurse until the stack overflows.
  if (isCyclic(data, new Set())) throw new ConfigError(file, "$", "a document without recursive aliases", "an alias inside its own anchor");
  return data;
}

function isCyclic(value: unknown, ancestors: Set<object>): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (ancestors.has(value)) return true;
  ancestors.add(value);
  const children: unknown[] = value instanceof Map ? [...value.values()] : Object.values(value);
  const cyclic = children.some((child) => isCyclic(child, ancestors));
  ancestors.delete(value);
  return cyclic;
}
