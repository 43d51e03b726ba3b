/**
 * Resolving an evaluator's mappings against one line: `${run.outputs.x}` reads the run's outputs, `${run.inputs.x}`
 * its inputs, `${data.x}` the joined reference row, and `${run.outputs}` (etc.) the whole object; anything else is
 * a literal. A reference to a column the line does not have resolves to undefined, and the evaluator reports that
 * line as unscorable.
 */
import { UserError } from "../../core/userError";
import type { RunLine } from "../types";

const reference = /^\$\{(run\.outputs|run\.inputs|data)(?:\.([^}]+))?\}$/;

/** Refuses a `${...}` that is not a known reference: a typo like `${run.output.x}` would otherwise be a literal. */
export function validateMappings(evaluator: string, mappings: Record<string, string>): void {
  for (const [field, expression] of Object.entries(mappings)) {
    if (typeof expression !== "string") {
      throw new UserError(`evaluator '${evaluator}': mappings.${field}: expected a string, found ${typeof expression}`);
    }
    const trimmed = expression.trim();
    if (trimmed.startsWith("${") && !reference.test(trimmed)) {
      throw new UserError(
        `evaluator '${evaluator}': mappings.${field}: '${trimmed}' is not \${run.outputs.<name>}, \${run.inputs.<name>} or \${data.<column>}`,
      );
    }
  }
}

export function resolveMappedValue(expression: string, line: RunLine): unknown {
  const match = reference.exec(expression.trim());
  if (!match) return expression;
  const source = match[1] === "run.outputs" ? line.outputs : match[1] === "run.inputs" ? line.inputs : line.data;
  if (source === undefined) return undefined;
  return match[2] === undefined ? source : readPath(source, match[2]);
}

/** Column names may themselves be dotted paths into nested outputs (`${run.outputs.answer.category}`). */
function readPath(source: Record<string, unknown>, path: string): unknown {
  if (Object.prototype.hasOwnProperty.call(source, path)) return source[path];
  let current: unknown = source;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object" || !Object.prototype.hasOwnProperty.call(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

export function resolveMappings(mappings: Record<string, string>, line: RunLine): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [field, expression] of Object.entries(mappings)) fields[field] = resolveMappedValue(expression, line);
  return fields;
}
