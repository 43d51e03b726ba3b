/**
 * `--connections <file>` for `llmops run --flow`: a YAML or JSON file holding connection specs as a list or under
 * `connections:` (so an experiment.yaml works too). Secrets come from environment variables, as everywhere.
 */
import * as path from "node:path";
import { readYamlFile } from "../../core/files";
import { describeFound } from "../jsonPath";
import { resolveConnections, type ConnectionSpec, type Environment } from "../../llm/connections";
import type { Connection } from "../../llm/types";
import { ConfigError, UserError } from "../../core/userError";

export function loadConnectionsFile(file: string, environment: Environment): Record<string, Connection> {
  return resolveConnections(readConnectionSpecs(file), environment, path.resolve(file));
}

/** The specs as written (secrets still `${VAR}` references), e.g. to hand them to an Azure ML job. */
export function readConnectionSpecs(file: string): ConnectionSpec[] {
  const absolute = path.resolve(file);
  const document = readYamlFile(absolute, { missing: () => new UserError(`${absolute}: connections file not found`) });
  const specs = Array.isArray(document)
    ? document
    : typeof document === "object" && document !== null && Array.isArray((document as { connections?: unknown }).connections)
      ? (document as { connections: unknown[] }).connections
      : undefined;
  if (!specs) throw new ConfigError(absolute, "$", "a list of connections, or a mapping with a connections: list", describeFound(document));
  return specs as ConnectionSpec[];
}
