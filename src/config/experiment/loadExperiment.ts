/**
 * Reading experiment.yaml: YAML → overlay for the environment → schema → semantic rules → connections. The only
 * module here that touches the file system and the environment.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { describeFound } from "../jsonPath";
import { validateAgainstSchema } from "../schemaValidation";
import { resolveConnections, type Environment } from "../../llm/connections";
import { ConfigError, UserError } from "../../core/userError";
import { buildExperiment, type ExperimentDocument } from "./buildExperiment";
import { readFlowInterface } from "../../flow/flowFolder";
import { applyOverlay, originOfPath, type MergedDocument } from "./overlay";
import type { Experiment } from "./types";

export interface LoadExperimentOptions {
  /** Environment name (dev, prod...): `experiment.<env>.yaml` beside the file is applied when it exists. */
  env?: string;
  /** Where `${VAR}` references in connections are read from; pass process.env. */
  environmentVariables: Environment;
  /**
   * false: check connections (shape, no literal secrets) but do not read their variables, leaving `connections`
   * empty. For commands that never call a model (plan, production evaluation without an LLM judge).
   */
  resolveSecrets?: boolean;
}

const envNamePattern = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

function readYamlMapping(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new UserError(`${file}: experiment file not found`);
    throw err;
  }
  let document: unknown;
  try {
    document = yaml.load(text, { filename: file });
  } catch (err) {
    if (err instanceof yaml.YAMLException) throw new ConfigError(file, "$", "valid YAML", err.message);
    throw err;
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new ConfigError(file, "$", "a mapping of experiment settings", describeFound(document));
  }
  return document as Record<string, unknown>;
}

function overlayFileFor(file: string, env: string): string | undefined {
  if (!envNamePattern.test(env)) throw new UserError(`environment name ${JSON.stringify(env)}: expected letters, digits, _ or -`);
  const directory = path.dirname(file);
  const stem = path.basename(file).replace(/\.ya?ml$/i, "");
  return [".yaml", ".yml"].map((ext) => path.join(directory, `${stem}.${env}${ext}`)).find((candidate) => fs.existsSync(candidate));
}

/** Re-attributes a schema error inside a block the overlay replaced to the overlay file. */
function validateMerged(merged: MergedDocument, file: string): void {
  try {
    validateAgainstSchema("experiment", file, merged.document);
  } catch (err) {
    if (err instanceof ConfigError) {
      const origin = originOfPath(merged, err.jsonPath, file);
      if (origin !== err.file) throw new ConfigError(origin, err.jsonPath, err.expected, err.found);
    }
    throw err;
  }
}

// Every variable "exists" with a placeholder, so resolution checks shapes and literal secrets without reading any.
const placeholderEnvironment: Environment = new Proxy({}, { get: () => "unresolved" });

export function loadExperiment(experimentPath: string, options: LoadExperimentOptions): Experiment {
  const file = path.resolve(experimentPath);
  const base = readYamlMapping(file);
  const overlayFile = options.env !== undefined ? overlayFileFor(file, options.env) : undefined;
  const merged = applyOverlay(base, file, overlayFile ? { document: readYamlMapping(overlayFile), file: overlayFile } : undefined);
  validateMerged(merged, file);
  // The schema guarantees ExperimentDocument's shape.
  const document = merged.document as unknown as ExperimentDocument;
  const fileOf = (key: string): string => merged.origin[key] ?? file;

  const experiment = buildExperiment(
    document,
    { file, env: options.env, overlayFile, fileOf },
    {
      isFile: (p) => fs.existsSync(p) && fs.statSync(p).isFile(),
      isDirectory: (p) => fs.existsSync(p) && fs.statSync(p).isDirectory(),
      flowInterface: readFlowInterface,
    },
  );
  const resolve = options.resolveSecrets ?? true;
  const resolved = resolveConnections(experiment.connectionSpecs, resolve ? options.environmentVariables : placeholderEnvironment, fileOf("connections"));
  return { ...experiment, connections: resolve ? resolved : {} };
}
