/**
 * What a stack's plan is made of, as plain data: read from disk once by src/plan/load/ (the shell) and handed to
 * the pure buildInfraPlan. The plan never reads a file itself, so one PlanSources always gives the same plan.
 */
import type { LoadedDeploymentConfig } from "../config/deploymentConfigTypes";
import type { EnvYamlEntry } from "../config/envYaml";
import type { ExperimentOutline } from "../config/experiment/types";
import type { StackSettings } from "../config/stackSettings";
import type { FlowDefinition, FlowFile } from "./types";

export interface PlanSources {
  stack: string; // "dev" | "prod" | ...
  /** For error messages, e.g. "Pulumi.dev.yaml". */
  stackConfigFile: string;
  /** The stack config validated, with defaults and the CI environment-variable overrides applied. */
  settings: StackSettings;
  /** deployment_config.json: its entries without the template's placeholders, which are listed; `file` as shown. */
  deploymentConfig: LoadedDeploymentConfig;
  /** The use case's experiment (its flow, datasets and model name); the flat layout reads none. */
  experiment?: ExperimentOutline;
  /** A use case's environment/env.yaml, when it has one; `file` as shown in messages. */
  useCaseEnvironment?: { file: string; entries: EnvYamlEntry[] };
  flow: FlowFolderSource;
  dataFiles: DataFileSources;
  /** What each TEST_FILE_PATH of deployment_config.json names. */
  requestFiles: RequestFileSources;
  /** The experiment's connection specs the Web App entry of the stack's environment names (none when it names none). */
  webAppConnections?: { specs: Record<string, unknown>[]; file: string };
  /** The llmops runtime the "llmops" serving image compiles (absent with "promptflow"): its folder and content hash. */
  runtime?: { dir: string; hash: string };
}

export interface FlowFolderSource {
  /** Absolute path of the flow folder. */
  sourceDir: string;
  /** Where the folder is named (llmops:flowPath of the stack file, or the experiment's `flow`): errors point there. */
  namedIn: { file: string; jsonPath: string };
  definition: FlowDefinition;
  files: FlowFile[];
  /** `environment.python_requirements_txt` of flow.dag.yaml, as written. */
  declaredRequirementsFile?: string;
  /** The llmops engine's reason for refusing the DAG (only asked when the stack serves with llmops). */
  engineRefusal?: string;
}

/** A data file to register, with the sha256 its version comes from. */
export interface HashedDataFile {
  path: string;
  sha256: string;
}

/** A local dataset of the experiment (`azureml:` ones are registered already). */
export interface ExperimentDataFile {
  name: string;
  description?: string;
  file: HashedDataFile;
}

/**
 * The data assets' files: the experiment's local datasets (`file`: the experiment as shown), or per
 * llmops:datasets entry (or the default pattern) the files it matches, "outside" when it leaves the project
 * (then nothing was read).
 */
export type DataFileSources =
  | { from: "experiment"; file: string; datasets: readonly ExperimentDataFile[] }
  | { from: "stack"; matches: readonly (readonly HashedDataFile[] | "outside")[] };

/** TEST_FILE_PATH values, resolved against `relativeTo` (the project root, or the use-case folder). */
export interface RequestFileSources {
  /** The base folder in words, for messages: "the project root" or "the use-case folder <useCase>". */
  relativeTo: string;
  /** Per TEST_FILE_PATH as written: its absolute path (undefined when it leaves the base) and whether a file is there. */
  paths: Readonly<Record<string, { absolute?: string; isFile: boolean }>>;
}
