/**
 * The one YAML reader (stack files, experiment files, flow files, connections files), on the `yaml` package:
 * YAML 1.2 core schema, merge keys, duplicate keys refused, and a limit on alias expansion so a "billion laughs"
 * document fails instead of exhausting memory. Returns plain data (objects, arrays, scalars).
 */
import { parseDocument, type YAMLError } from "yaml";
import { readTextFile, type ReadTextFileOptions } from "./files";
import { ConfigError } from "./userError";

/** Aliases resolved per document; far above what a hand-written config uses. */
const maxAliasCount = 1000;

function describeError(error: YAMLError): string {
  const firstLine = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
  const position = error.linePos?.[0];
  return position ? `${firstLine} at line ${position.line}, column ${position.col}` : firstLine;
}

/** Parses YAML text; a syntax error is a ConfigError naming the file, the line and the column. */
export function parseYaml(text: string, file: string): unknown {
  const document = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true, logLevel: "silent" });
  // Warnings (an unknown tag, say) would otherwise turn into silently different data.
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem !== undefined) throw new ConfigError(file, "$", "valid YAML", describeError(problem));
  try {
    return document.toJS({ maxAliasCount });
  } catch (err) {
    throw new ConfigError(file, "$", "valid YAML", err instanceof Error ? err.message.split("\n")[0] : String(err));
  }
}

/** Reads (bounded) and parses a YAML file. */
export function readYamlFile(file: string, options: ReadTextFileOptions = {}): unknown {
  return parseYaml(readTextFile(file, options), options.displayName ?? file);
}
