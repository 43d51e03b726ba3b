/**
 * The stack's settings after decoding Pulumi config (namespace `llmops`), applying defaults and the CI
 * environment-variable overrides. Plain data; produced by readStackSettings (src/config/stackConfig.ts).
 */
export interface ExistingResourceSettings {
  name: string;
  resourceGroupName: string;
}

/** A local data file to register as a data asset. */
export interface DatasetSource {
  path: string;
  name?: string;
  description?: string;
}

/** What serves the flow in its image: our engine (`llmops serve`) or prompt flow's retired runtime. */
export type ServingEngine = "llmops" | "promptflow";

export interface StackSettings {
  /** ENV_NAME to select in deployment_config.json. */
  environment: string;
  subscriptionId: string;
  location: string;
  resourceGroupName: string;
  workspaceName: string;
  keyVault: ExistingResourceSettings & { authorization: "rbac" | "accessPolicy"; tenantId?: string };
  /** Absent when the Web App entry names the registry (REGISTRY_NAME) instead. */
  containerRegistry?: ExistingResourceSettings & {
    /** How the image push logs in; absent = "entra" (the plan's default). */
    login?: "entra" | "adminUser";
  };
  openAi?: ExistingResourceSettings;
  /**
   * `llmops:useCase`: a folder in the genaiops template's layout, relative to the project root. The deployment
   * config, experiment, flow and datasets default from it, and TEST_FILE_PATH is relative to it.
   */
  useCase?: string;
  /** Relative to the project root unless absolute. */
  deploymentConfigPath: string;
  /** undefined: the experiment's `flow:` (a use case's default). */
  flowPath?: string;
  /** experiment.yaml whose `connections` the Web App's CONNECTION_NAMES are taken from; relative to the project root. */
  experimentPath: string;
  /** undefined = the default: the experiment's local datasets for a use case, else every flows/data/*.jsonl file. */
  datasets?: DatasetSource[];
  tags: Record<string, string>;
  /** `llmops:serving`: engine (default llmops) and, for llmops, the base image (default: the plan's pinned one). */
  serving: { engine: ServingEngine; baseImage?: string };
  /** `llmops:jobs`: present when the stack declares what Azure ML jobs need. */
  jobs?: JobsSettings;
}

export interface JobsSettings {
  clusterName?: string;
  vmSize?: string;
  maxNodes?: number;
  lowPriority?: boolean;
  idleSecondsBeforeScaleDown?: number;
}
