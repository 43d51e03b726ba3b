/**
 * `--connections <file>` for `llmops run --flow`: a YAML or JSON file holding connection specs as a list or under
 * `connections:` (so an experiment.yaml works too). Secrets come from environment variables, as everywhere.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { describeFound } from "../jsonPath";
import { resolveConnections, type ConnectionSpec, type Environment } from "../../llm/connections";
import type { Connection } from "../../llm/types";
import { ConfigError, UserError } from "../../core/userError";

export function loadConnectionsFile(file: string, environment: Environment): Record<string, Connection> {
  const absolute = path.resolve(file);
  let document: unknown;
  try {
    document = yaml.load(fs.readFileSync(absolute, "utf8"), { filename: absolute });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new UserError(`${absolute}: connections file not found`);
    if (err instanceof yaml.YAMLException) throw new ConfigError(absolute, "$", "valid YAML or JSON", err.message);
    throw err;
  }
  const specs = Array.isArray(document)
    ? document
    : typeof document === "object" && document !== null && Array.isArray((document as { connections?: unknown }).connections)
      ? (document as { connections: unknown[] }).connections
      : undefined;
  if (!specs) throw new ConfigError(absolute, "$", "a list of connections, or a mapping with a connections: list", describeFound(document));
  return resolveConnections(specs as ConnectionSpec[], environment, absolute);
}
