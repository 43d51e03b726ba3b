/**
 * Reading experiment.yaml: YAML → overlay for the environment → schema → semantic rules → connections. The only
 * module here that touches the file system and the environment.
 */
import { isRecord } from "../../core/values";
import * as fs from "node:fs";
import * as path from "node:path";
import { isFile, readYamlFile } from "../../core/files";
import { describeFound } from "../jsonPath";
import { validateAgainstSchema } from "../schemaValidation";
import { placeholderEnvironment, resolveConnections, type Environment } from "../../llm/connections";
import { withFieldOverrides } from "../../llm/connectionOverrides";
import { ConfigError, UserError } from "../../core/userError";
import { assetCachePath, buildExperiment, resolveDatasetSource, type ExperimentDocument } from "./buildExperiment";
import { locateFlow, readFlowInterface } from "../../flow/flowFolder";
import { useCaseFiles } from "../stackConfig";
import { applyOverlay, originOfPath, type MergedDocument } from "./overlay";
import type { Experiment, ExperimentOutline, OutlineDataset } from "./types";

export interface LoadExperimentOptions {
  /** Environment name (dev, prod...): `experiment.<env>.yaml` beside the file is applied when it exists. */
  env?: string;
  /** Where `${VAR}` references in connections are read from: the command line passes its environment. */
  environmentVariables: Environment;
  /**
   * false: check connections (shape, no literal secrets) but do not read their variables, leaving `connections`
   * empty. For commands that never call a model (plan, production evaluation without an LLM judge).
   */
  resolveSecrets?: boolean;
  /**
   * The user typed `env` (--env), rather than a stack naming it: an environment with no overlay that no overlay or
   * deployment config knows is then a typo, refused instead of silently running the base experiment.
   */
  envTyped?: boolean;
  /**
   * The folder the command runs in (the project): the experiment's flow and datasets may lie outside its own
   * folder but inside this one. Without it, only inside the experiment's folder.
   */
  workingDirectory?: string;
}

const envNamePattern = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

function readYamlMapping(file: string, emptyMeans?: "no change"): Record<string, unknown> {
  const document = readYamlFile(file, { missing: () => new UserError(`${file}: experiment file not found`) });
  // An empty overlay (0 bytes, or only comments) changes nothing, as in the template.
  if ((document === undefined || document === null) && emptyMeans === "no change") return {};
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new ConfigError(file, "$", "a mapping of experiment settings", describeFound(document));
  }
  return normaliseNulls(document as Record<string, unknown>);
}

const listBlocks = new Set(["datasets", "evaluators", "connections", "gates"]);

/** `mappings:` left empty (null) is an empty mapping; the key stays, so "written but empty" differs from "absent". */
function emptyMappings(item: unknown): unknown {
  if (!isRecord(item) || !("mappings" in item) || item.mappings !== null) return item;
  return { ...item, mappings: {} };
}

/**
 * The template reads a block left empty (`evaluators:` alone, i.e. null) as empty: lists become [], `runtime:`
 * and other single values are unset, `mappings:` is {}. Applied to experiment.yaml and its overlays alike.
 */
function normaliseNulls(document: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document)) {
    if (value === null) {
      if (listBlocks.has(key)) result[key] = [];
      continue;
    }
    result[key] = value;
  }
  if (Array.isArray(result.datasets)) result.datasets = result.datasets.map(emptyMappings);
  if (Array.isArray(result.evaluators)) {
    result.evaluators = result.evaluators.map((evaluator: unknown) => {
      const withMappings = emptyMappings(evaluator);
      if (!isRecord(withMappings) || !Array.isArray(withMappings.datasets)) return withMappings;
      return { ...withMappings, datasets: withMappings.datasets.map(emptyMappings) };
    });
  }
  if (isRecord(result.production)) result.production = emptyMappings(result.production);
  return result;
}

function overlayFileFor(file: string, env: string): string | undefined {
  if (!envNamePattern.test(env)) throw new UserError(`environment name ${JSON.stringify(env)}: expected letters, digits, _ or -`);
  const directory = path.dirname(file);
  const stem = path.basename(file).replace(/\.ya?ml$/i, "");
  return [".yaml", ".yml"].map((ext) => path.join(directory, `${stem}.${env}${ext}`)).find((candidate) => fs.existsSync(candidate));
}

/**
 * Environments an experiment knows: those with an overlay beside it (`experiment.<env>.yaml`) and the ENV_NAMEs of
 * the use case's deployment config (`configs/deployment_config.json` beside it), which may run the base experiment
 * unchanged.
 */
function knownEnvironments(file: string): string[] {
  const directory = path.dirname(file);
  const stem = path.basename(file).replace(/\.ya?ml$/i, "");
  const known = new Set<string>();
  for (const name of fs.readdirSync(directory)) {
    const extension = /\.ya?ml$/i.exec(name)?.[0];
    if (extension === undefined || !name.startsWith(`${stem}.`)) continue;
    const env = name.slice(stem.length + 1, name.length - extension.length);
    if (envNamePattern.test(env)) known.add(env);
  }
  const deploymentConfig = path.join(directory, useCaseFiles.deploymentConfig);
  if (fs.existsSync(deploymentConfig)) {
    try {
      const document: unknown = JSON.parse(fs.readFileSync(deploymentConfig, "utf8"));
      for (const entries of isRecord(document) ? Object.values(document) : []) {
        for (const entry of Array.isArray(entries) ? entries : []) if (isRecord(entry) && typeof entry.ENV_NAME === "string" && entry.ENV_NAME !== "") known.add(entry.ENV_NAME);
      }
    } catch {
      // A broken deployment config is reported by the plan that reads it; here it only names no environment.
    }
  }
  return [...known].sort();
}

/** An environment with no overlay must be one the project knows: a typo must not run the base experiment silently. */
function requireKnownEnvironment(file: string, env: string): void {
  const known = knownEnvironments(file);
  if (known.includes(env)) return;
  const listed = known.length > 0 ? `known environments: ${known.join(", ")}` : `no experiment.<env>.yaml overlay and no ${useCaseFiles.deploymentConfig} beside it names any`;
  throw new UserError(`--env ${env}: ${file} knows no environment '${env}' (${listed})`);
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


export function loadExperiment(experimentPath: string, options: LoadExperimentOptions): Experiment {
  const file = path.resolve(experimentPath);
  const base = readYamlMapping(file);
  const overlayFile = options.env !== undefined ? overlayFileFor(file, options.env) : undefined;
  if (options.envTyped === true && options.env !== undefined && overlayFile === undefined) requireKnownEnvironment(file, options.env);
  if (!Array.isArray(base.datasets) || base.datasets.length === 0) {
    throw new ConfigError(file, "$.datasets", "a list of at least one dataset (required: the flow runs on the experiment's datasets)", describeFound(base.datasets));
  }
  const merged = applyOverlay(base, file, overlayFile ? { document: readYamlMapping(overlayFile, "no change"), file: overlayFile } : undefined);
  validateMerged(merged, file);
  // The schema guarantees ExperimentDocument's shape.
  const document = merged.document as unknown as ExperimentDocument;
  const fileOf = (key: string): string => merged.origin[key] ?? file;
  const baseDatasets = fileOf("datasets") !== file && fileOf("evaluators") === file ? (base.datasets as ExperimentDocument["datasets"]) : undefined;

  const experiment = buildExperiment(
    document,
    { file, workingDirectory: options.workingDirectory, env: options.env, overlayFile, fileOf, ...(baseDatasets !== undefined ? { baseDatasets } : {}) },
    {
      isFile,
      isDirectory: (p) => fs.existsSync(p) && fs.statSync(p).isDirectory(),
      flowInterface: (target, referencedFrom) => readFlowInterface(target, referencedFrom, { environment: options.environmentVariables }),
      isFlow: (p) => {
        try {
          locateFlow(p, p);
          return true;
        } catch {
          return false;
        }
      },
    },
  );
  const resolve = options.resolveSecrets ?? true;
  const resolved = resolveConnections(experiment.connectionSpecs, resolve ? options.environmentVariables : placeholderEnvironment, fileOf("connections"));
  // Prompt flow's <NAME>_<FIELD> overrides (AOAI_API_BASE...), so a fixed api_base can point elsewhere unedited.
  const connections = resolve ? Object.fromEntries(Object.entries(resolved).map(([name, c]) => [name, withFieldOverrides(c, options.environmentVariables)])) : {};
  return { ...experiment, connections };
}

/**
 * experiment.yaml (+ the environment's overlay, with the template's overlay rules) read for planning. Shape
 * errors surface as the full loader reports them; a missing dataset file is the loader's error too.
 */
export function readExperimentOutline(experimentPath: string, env: string | undefined): ExperimentOutline {
  const file = path.resolve(experimentPath);
  const base = readYamlMapping(file);
  const overlayFile = env !== undefined ? overlayFileFor(file, env) : undefined;
  const merged = applyOverlay(base, file, overlayFile ? { document: readYamlMapping(overlayFile, "no change"), file: overlayFile } : undefined);
  validateMerged(merged, file);
  const document = merged.document as unknown as ExperimentDocument;
  const directory = path.dirname(file);
  const datasets: OutlineDataset[] = [];
  const add = (name: string, source: string, description: string | undefined, at: string): void => {
    if (datasets.some((d) => d.name === name)) return;
    const resolved = resolveDatasetSource(source, directory, isFile);
    if (resolved === undefined) {
      throw new ConfigError(merged.origin[at] ?? file, `$.${at}`, "a JSONL file relative to the experiment file (or under its data/ folder), or azureml:<name>:<version>", describeFound(source));
    }
    datasets.push({
      name,
      ...(description !== undefined ? { description } : {}),
      ...(resolved.kind === "file"
        ? { localPath: resolved.path }
        : { asset: { name: resolved.name, version: resolved.version, cachePath: assetCachePath(directory, resolved.name, resolved.version) } }),
    });
  };
  document.datasets.forEach((d) => add(d.name, d.source, d.description, "datasets"));
  for (const evaluator of document.evaluators ?? []) {
    for (const d of evaluator.datasets ?? []) if (d.source !== undefined) add(d.name, d.source, d.description, "evaluators");
  }
  return { name: document.name, file, flow: path.resolve(directory, document.flow ?? document.name), datasets };
}
