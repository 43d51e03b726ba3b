/**
 * The plan's imperative shell: reads what a stack's plan is made of (the stack config's settings,
 * deployment_config.json, the experiment, env.yaml, the flow folder, data and request files, the llmops runtime)
 * into PlanSources, once. A file that is missing, malformed or outside the project is refused here, with the
 * ConfigError naming the setting that chose it; what the files say is checked by the pure buildInfraPlan.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { LoadedDeploymentConfig } from "../../config/deploymentConfigTypes";
import { readEnvYaml } from "../../config/envYamlFile";
import { loadExperiment, readExperimentOutline } from "../../config/experiment";
import type { ExperimentOutline } from "../../config/experiment/types";
import { jsonPath } from "../../config/jsonPath";
import { loadDeploymentConfig } from "../../config/loadDeploymentConfig";
import { resolveInside } from "../../config/projectPaths";
import { readStackSettings, useCaseEnvironmentFile } from "../../config/stackConfig";
import { llmopsSettings, readStackConfigFile } from "../../config/stackConfigFile";
import type { StackSettings } from "../../config/stackSettings";
import { sha256Hex } from "../../core/sha256";
import { ConfigError, UserError } from "../../core/userError";
import { isFile, readYamlFile } from "../../core/files";
import { isRecord } from "../../core/values";
import { readFlowFiles, readFlowInterface } from "../../flow/flowFolder";
import { loadFlow } from "../../flow/loadFlow";
import { buildInfraPlan, type PlanOptions } from "../buildInfraPlan";
import { wantedDatasets } from "../datasets";
import type { DataFileSources, FlowFolderSource, HashedDataFile, PlanSources, RequestFileSources } from "../sources";
import type { FlowDefinition, FlowFile, InfraPlan } from "../types";
import { llmopsRuntimeRoot, runtimeHashOf } from "./runtimeSources";

export interface PlanInput extends PlanOptions {
  stack: string; // "dev" | "prod" | ...
  projectRoot: string; // folder holding Pulumi.yaml
  /** Stack config values exactly as Pulumi gives them: keys WITHOUT the "llmops:" namespace, values are strings
   *  (structured values are JSON text, as `pulumi.runtime.allConfig()` returns them). */
  stackConfig: Record<string, string>;
  stackConfigFile: string; // for error messages, e.g. "Pulumi.dev.yaml"
  deploymentConfigPath?: string; // overrides the stack config's path (the CLI's --config)
}

/** A stack's plan from its files: what the Pulumi program, the commands and the tests call. */
export function planStack(input: PlanInput): InfraPlan {
  return buildInfraPlan(loadPlanSources(input), input);
}

/** The plan of Pulumi.<stack>.yaml in `projectRoot` (what `llmops` commands read the stack from). */
export function planStackFile(projectRoot: string, stack: string, options: PlanOptions & { deploymentConfigPath?: string }): InfraPlan {
  const stackConfig = readStackConfigFile(projectRoot, stack);
  return planStack({ stack, projectRoot, stackConfig: llmopsSettings(stackConfig), stackConfigFile: stackConfig.file, ...options });
}

/** Reads everything the plan of `input.stack` needs from disk. */
export function loadPlanSources(input: PlanInput): PlanSources {
  const settings = readStackSettings(input);
  const deploymentConfig = readDeploymentConfig(input, settings);
  const experiment = readUseCaseExperiment(input, settings);
  const useCaseEnvironment = readUseCaseEnvironment(input.projectRoot, settings);
  const flow = readFlowFolder(input, settings, experiment);
  const webAppConnections = readWebAppConnections(input, settings, deploymentConfig);
  return {
    stack: input.stack,
    stackConfigFile: input.stackConfigFile,
    settings,
    deploymentConfig,
    ...(experiment !== undefined ? { experiment } : {}),
    ...(useCaseEnvironment !== undefined ? { useCaseEnvironment } : {}),
    flow,
    dataFiles: readDataFiles(input.projectRoot, settings, experiment),
    requestFiles: requestFilesOf(input.projectRoot, settings, deploymentConfig),
    ...(webAppConnections !== undefined ? { webAppConnections } : {}),
    ...(settings.serving.engine === "llmops" ? { runtime: { dir: llmopsRuntimeRoot, hash: runtimeHashOf() } } : {}),
  };
}

function displayPath(projectRoot: string, absolute: string): string {
  const relative = path.relative(projectRoot, absolute);
  return relative.startsWith("..") || path.isAbsolute(relative) ? absolute : relative.split(path.sep).join("/");
}

/** A path from a config file, inside `root` or refused (ConfigError at `jsonPathText` of `file`). */
function pathInside(root: string, rootWords: string, value: string, file: string, jsonPathText: string, what: string): string {
  const absolute = resolveInside(root, value);
  if (absolute === undefined) {
    throw new ConfigError(file, jsonPathText, `${what} inside ${rootWords}`, `${JSON.stringify(value)} (outside it)`);
  }
  return absolute;
}

function readDeploymentConfig(input: PlanInput, settings: StackSettings): LoadedDeploymentConfig {
  // --config is the caller's own choice; a path from the stack file stays inside the project.
  const configAbsolute = input.deploymentConfigPath
    ? path.resolve(input.projectRoot, settings.deploymentConfigPath)
    : pathInside(input.projectRoot, "the project", settings.deploymentConfigPath, input.stackConfigFile, jsonPath(["config", "llmops:deploymentConfigPath"]), "a deployment config file");
  const chosenBy = input.deploymentConfigPath ? "--config" : input.stackConfigFile;
  return loadDeploymentConfig(configAbsolute, displayPath(input.projectRoot, configAbsolute), chosenBy);
}

/** llmops:experimentPath, inside the project or refused. */
function experimentFileOf(input: PlanInput, settings: StackSettings): string {
  return pathInside(input.projectRoot, "the project", settings.experimentPath, input.stackConfigFile, jsonPath(["config", "llmops:experimentPath"]), "an experiment file");
}

/**
 * The experiment a use case's flow comes from (its flow, datasets and model name). The flat layout names the
 * flow folder in the stack config and reads no experiment here.
 */
function readUseCaseExperiment(input: PlanInput, settings: StackSettings): ExperimentOutline | undefined {
  if (settings.useCase === undefined) return undefined;
  const absolute = experimentFileOf(input, settings);
  if (fs.existsSync(absolute)) return readExperimentOutline(absolute, settings.environment);
  throw new ConfigError(
    input.stackConfigFile,
    jsonPath(["config", "llmops:experimentPath"]),
    `the use case's experiment.yaml (${settings.experimentPath})`,
    `"${settings.experimentPath}" (not found)`,
  );
}

/** A use case's environment/env.yaml, when it has one (the flat layout has none). */
function readUseCaseEnvironment(projectRoot: string, settings: StackSettings): PlanSources["useCaseEnvironment"] {
  if (settings.useCase === undefined) return undefined;
  const absolute = path.resolve(projectRoot, settings.useCase, useCaseEnvironmentFile);
  const entries = readEnvYaml(absolute);
  return entries === undefined ? undefined : { file: displayPath(projectRoot, absolute), entries };
}

/** Where the stack names its flow folder: llmops:flowPath (inside the project), or the use case's experiment. */
function namedFlowFolder(input: PlanInput, settings: StackSettings, experiment: ExperimentOutline | undefined): Pick<FlowFolderSource, "sourceDir" | "namedIn"> {
  if (settings.flowPath !== undefined) {
    const at = jsonPath(["config", "llmops:flowPath"]);
    return { sourceDir: pathInside(input.projectRoot, "the project", settings.flowPath, input.stackConfigFile, at, "a prompt flow folder"), namedIn: { file: input.stackConfigFile, jsonPath: at } };
  }
  // The stack settings give a flat layout its default flowPath and a use case its experiment.
  if (experiment === undefined) throw new Error("a stack names its flow by llmops:flowPath or by its use case's experiment");
  return { sourceDir: experiment.flow, namedIn: { file: displayPath(input.projectRoot, experiment.file), jsonPath: "$.flow" } };
}

/** The flow folder the stack names: its definition and files. */
function readFlowFolder(input: PlanInput, settings: StackSettings, experiment: ExperimentOutline | undefined): FlowFolderSource {
  const { sourceDir, namedIn } = namedFlowFolder(input, settings, experiment);
  const { file, jsonPath: at } = namedIn;
  const shown = displayPath(input.projectRoot, sourceDir);
  if (!fs.existsSync(sourceDir) || !fs.statSync(sourceDir).isDirectory()) {
    throw new ConfigError(file, at, "a prompt flow folder", `"${shown}" (no such folder)`);
  }
  let flowInterface;
  try {
    flowInterface = readFlowInterface(sourceDir, `${file}: ${at}`, { entrySignature: false });
  } catch (err) {
    if (err instanceof UserError && !(err instanceof ConfigError)) {
      throw new ConfigError(file, at, "a prompt flow folder (flow.dag.yaml, flow.flex.yaml or one .prompty file)", `"${shown}" (${err.message})`);
    }
    throw err;
  }
  const files = readFlowFiles(sourceDir);
  const definition: FlowDefinition = {
    kind: flowInterface.kind,
    file: path.relative(sourceDir, flowInterface.file).split(path.sep).join("/"),
    ...(flowInterface.chat ? { chat: { input: flowInterface.chat.input, ...(flowInterface.chat.output ? { output: flowInterface.chat.output } : {}) } } : {}),
  };
  const declaredRequirementsFile = declaredRequirementsOf(files, definition.file);
  const engineRefusal = settings.serving.engine === "llmops" && definition.kind === "dag" ? engineRefusalOf(sourceDir) : undefined;
  return {
    sourceDir,
    namedIn,
    definition,
    files,
    ...(declaredRequirementsFile !== undefined ? { declaredRequirementsFile } : {}),
    ...(engineRefusal !== undefined ? { engineRefusal } : {}),
  };
}

/** `environment.python_requirements_txt` of flow.dag.yaml. */
function declaredRequirementsOf(files: FlowFile[], definitionFile: string): string | undefined {
  const dag = files.find((f) => f.relativePath === definitionFile && !definitionFile.endsWith(".prompty"));
  if (!dag) return undefined;
  try {
    const document = readYamlFile(dag.absolutePath);
    const environment = isRecord(document) ? document.environment : undefined;
    const declared = isRecord(environment) ? environment.python_requirements_txt : undefined;
    if (typeof declared === "string") return declared;
  } catch {
    // A malformed flow.dag.yaml is the flow validator's to report; the image falls back to requirements.txt.
  }
  return undefined;
}

/** Why the llmops engine refuses the DAG in `sourceDir` (a package tool, an unknown node type, ...), if it does. */
function engineRefusalOf(sourceDir: string): string | undefined {
  try {
    loadFlow(sourceDir);
    return undefined;
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    return err.message;
  }
}

const hashedDataFile = (file: string): HashedDataFile => ({ path: file, sha256: sha256Hex(fs.readFileSync(file)) });

/** The data files to register: a use case's experiment datasets, or llmops:datasets (default flows/data/*.jsonl). */
function readDataFiles(projectRoot: string, settings: StackSettings, experiment: ExperimentOutline | undefined): DataFileSources {
  if (settings.datasets === undefined && experiment !== undefined) {
    return {
      from: "experiment",
      file: displayPath(projectRoot, experiment.file),
      datasets: experiment.datasets.flatMap((dataset) =>
        dataset.localPath === undefined
          ? []
          : [{ name: dataset.name, ...(dataset.description !== undefined ? { description: dataset.description } : {}), file: hashedDataFile(dataset.localPath) }],
      ),
    };
  }
  return {
    from: "stack",
    // A pattern pointing out of the project is not looked at: the plan refuses it by name.
    matches: wantedDatasets(settings.datasets).map((source) =>
      resolveInside(projectRoot, path.dirname(source.path)) === undefined ? "outside" : expandDataPattern(projectRoot, source.path).map(hashedDataFile),
    ),
  };
}

/** "flows/data/*.jsonl": a `*` is allowed in the file name only. */
function expandDataPattern(projectRoot: string, pattern: string): string[] {
  const absolute = path.resolve(projectRoot, pattern);
  // A symlinked data file pointing out of the project is skipped here and refused below when named explicitly.
  const inside = (file: string): boolean => resolveInside(projectRoot, file) !== undefined;
  const base = path.basename(absolute);
  if (!base.includes("*")) return isFile(absolute) && inside(absolute) ? [absolute] : [];
  const dir = path.dirname(absolute);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [];
  const matcher = new RegExp(`^${base.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && matcher.test(e.name))
    .map((e) => path.join(dir, e.name))
    .filter(inside)
    .sort();
}

/** What each TEST_FILE_PATH names: relative to the use-case folder in the template's layout, else to the project root. */
function requestFilesOf(projectRoot: string, settings: StackSettings, loaded: LoadedDeploymentConfig): RequestFileSources {
  const [base, relativeTo] =
    settings.useCase !== undefined ? [path.resolve(projectRoot, settings.useCase), `the use-case folder ${settings.useCase}`] : [projectRoot, "the project root"];
  const { content } = loaded;
  const entries = [...(content.azure_managed_endpoint ?? []), ...(content.kubernetes_endpoint ?? []), ...(content.webapp_endpoint ?? [])];
  const paths = Object.fromEntries(
    entries.map(({ TEST_FILE_PATH: value }) => {
      const absolute = resolveInside(base, value);
      return [value, absolute === undefined ? { isFile: false } : { absolute, isFile: isFile(absolute) }];
    }),
  );
  return { relativeTo, paths };
}

/** The experiment's connections the Web App entry of the stack's environment names (read only when it names any). */
function readWebAppConnections(input: PlanInput, settings: StackSettings, loaded: LoadedDeploymentConfig): PlanSources["webAppConnections"] {
  const entry = loaded.content.webapp_endpoint?.find((e) => e.ENV_NAME === settings.environment);
  if (entry === undefined) return undefined;
  const experimentAbsolute = experimentFileOf(input, settings);
  let specs: Record<string, unknown>[] = [];
  if ((entry.CONNECTION_NAMES ?? []).length > 0) {
    if (!fs.existsSync(experimentAbsolute)) {
      throw new ConfigError(
        input.stackConfigFile,
        jsonPath(["config", "llmops:experimentPath"]),
        "an experiment.yaml declaring the Web App's connections (relative to the project root)",
        `"${settings.experimentPath}" (not found)`,
      );
    }
    specs = loadExperiment(experimentAbsolute, { env: settings.environment, environmentVariables: input.environmentVariables, resolveSecrets: false, workingDirectory: input.projectRoot }).connectionSpecs;
  }
  return { specs, file: displayPath(input.projectRoot, experimentAbsolute) };
}
