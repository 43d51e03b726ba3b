/**
 * The infrastructure plan: everything one stack declares, as plain data. Built by pure functions from
 * config/deployment_config.json + the stack config + the flow folder (src/plan/), consumed by the thin Pulumi
 * components in src/infra/. Nothing here holds a secret value: secrets are Key Vault secret *names*.
 */
import type { FlowFolderFile, FlowKind } from "../flow/types";
import type { ServingEngine } from "../config/stackSettings";

export type EndpointAuthMode = "Key" | "AADToken";

/** Container registry login for the image push (stack config `containerRegistry.login`). */
export type RegistryLogin = "entra" | "adminUser";

/** An existing Azure resource the stack uses but does not own. */
export interface ExistingResource {
  name: string;
  resourceGroupName: string;
  /** Full ARM resource ID, computed by the plan. */
  id: string;
}

export interface AzureTarget {
  subscriptionId: string;
  location: string;
  /** Resource group the stack creates its resources in (the workspace's group). */
  resourceGroupName: string;
  workspace: ExistingResource;
  keyVault: ExistingResource & {
    /** "rbac": data roles; "accessPolicy": vault access policies (RBAC data roles are ignored there). */
    authorization: "rbac" | "accessPolicy";
    tenantId?: string;
  };
  containerRegistry: ExistingResource & {
    loginServer: string;
    /** How the image push logs in: "entra" (Entra ID token, no admin user) or "adminUser". Absent = "entra". */
    login?: RegistryLogin;
  };
  /** Azure OpenAI / AI Services account the flow calls, for role scope `openai`. */
  openAi?: ExistingResource;
}

/** A file of the flow folder, hashed for content-addressed versions. */
export type FlowFile = FlowFolderFile;

/** What the model's properties tell Azure ML about the flow: its kind, definition file and chat roles. */
export interface FlowDefinition {
  kind: FlowKind;
  /** POSIX path of flow.dag.yaml, flow.flex.yaml or the .prompty file, relative to the flow folder. */
  file: string;
  chat?: { input: string; output?: string };
}

export interface FlowPlan {
  /** Folder name of the flow, e.g. "support_ticket_classifier". */
  name: string;
  sourceDir: string;
  definition: FlowDefinition;
  files: FlowFile[];
  /** sha256 over the sorted (path, file hash) list: the flow's identity (upload path, `flow-content-hash` tag). */
  contentHash: string;
  /**
   * sha256 over contentHash and the generated Dockerfile: the build's identity. Model version, environment
   * version and image tag are its first 12 hex, so a serving-recipe change (base image, start command) over the
   * same flow gets new versions too.
   */
  buildHash: string;
  /** Registered model: `<experiment name>_<env>` like the template; version derived from buildHash. */
  model: { name: string; version: string; datastorePath: string };
  /** The serving environment asset: the template's CURRENT_DEPLOYMENT_NAME for a use case, else `<model>-serving`. */
  environmentName: string;
  datasets: DatasetPlan[];
}

export interface DatasetPlan {
  name: string;
  localPath: string;
  sha256: string;
  version: string;
  datastorePath: string;
  description?: string;
}

export interface ImagePlan {
  /** Repository inside the registry, e.g. "llmops/support-ticket-classifier". */
  repository: string;
  /** Human-readable tag; downstream resources use the pushed digest, never the tag. */
  tag: string;
  platform: "linux/amd64";
  /** Generated Dockerfile text for the prompt flow serving container (port 8080, /score, /health). */
  dockerfile: string;
  /** What serves the flow: our engine (`llmops serve`) or prompt flow's runtime image. */
  engine: ServingEngine;
  /** The flow folder: the whole build context of the promptflow recipe, `flow/` of the llmops one. */
  contextDir: string;
  /** llmops recipe: the llmops package whose sources (package.json, src/, ...) the image compiles. */
  runtimeDir?: string;
  port: 8080;
}

/** ISO 8601 durations ("PT10S") as ARM's ProbeSettings wants them. */
export interface ProbePlan {
  initialDelay: string;
  period: string;
  timeout: string;
  failureThreshold: number;
  successThreshold: number;
}

/**
 * What a deployment serves.
 * - candidate: this run's build (model version + image digest).
 * - pinned: an explicit model version and image reference from config.
 * - frozen: the build it was created with; later builds are ignored (ignoreChanges on model/environment),
 *   which is what a prior deployment of an A/B pair wants by default.
 */
export type DeploymentServes =
  | { kind: "candidate" }
  | { kind: "pinned"; modelVersion: string; image?: string }
  | { kind: "frozen" };

/**
 * Scaling between bounds by CPU utilisation: an Azure Monitor autoscale setting on managed deployments (they only
 * accept Default scale settings), target-utilization scale settings on Kubernetes deployments.
 */
export interface AutoscalePlan {
  minInstances: number;
  maxInstances: number;
  targetUtilizationPercentage: number;
}

/** What each Kubernetes container requests (ARM `ContainerResourceSettings`: Kubernetes quantities as strings). */
export interface ContainerResourceRequestsPlan {
  cpu?: string;
  memory?: string;
}

export interface DeploymentPlan {
  name: string;
  role: "current" | "prior";
  description: string;
  /** ARM `instanceType`: a VM SKU (managed) or the cluster's instance type (Kubernetes; absent = its default). */
  vmSize?: string;
  instanceCount: number;
  /** Kubernetes deployments only, when CPU_ALLOCATION or MEMORY_ALLOCATION is set. */
  containerResourceRequests?: ContainerResourceRequestsPlan;
  serves: DeploymentServes;
  environmentVariables: Record<string, string>;
  /**
   * Secret-looking variables of the use case's environment/env.yaml: variable name in the container → the
   * environment variable of `pulumi up` holding its value, which the program passes as a Pulumi secret.
   */
  secretEnvironmentVariables?: Record<string, string>;
  request: { timeout: string; maxConcurrentRequestsPerInstance: number };
  livenessProbe: ProbePlan;
  readinessProbe: ProbePlan;
  autoscale?: AutoscalePlan;
  appInsightsEnabled: boolean;
  /** Collect model inputs/outputs (payload logging) for post-production evaluation. */
  dataCollection: boolean;
}

/**
 * Where an endpoint runs: Azure-managed compute, or an attached Kubernetes compute of the workspace, looked up by
 * name when deploying (the endpoint's `compute` is its ARM ID).
 */
export type EndpointCompute = { kind: "managed" } | { kind: "kubernetes"; computeName: string };

export interface EndpointPlan {
  name: string;
  compute: EndpointCompute;
  description: string;
  authMode: EndpointAuthMode;
  deployments: DeploymentPlan[]; // current first
  /** Every deployment named, sums to 100. */
  traffic: Record<string, number>;
  /** Sums to <= 50, never to a deployment with live traffic. */
  mirrorTraffic: Record<string, number>;
  testFilePath: string;
}

export interface WebAppPlan {
  appServicePlanName: string;
  webAppName: string;
  resourceGroupName: string;
  sku: { name: string; tier: string };
  identityName: string;
  /** Connection names whose API keys the app reads as Key Vault references: `<NAME>_API_KEY`. */
  connectionSecrets: { settingName: string; keyVaultSecretName: string }[];
  appSettings: Record<string, string>;
  healthCheckPath: string;
  testFilePath: string;
}

/** Whose identity a grant is for: the managed endpoint's, the Kubernetes endpoint's, the Web App's or the Azure ML jobs'. */
export type RolePrincipal = "endpoint" | "kubernetesEndpoint" | "webapp" | "jobs";

export type RoleScope =
  | { kind: "resource"; id: string }
  /** The workspace's default datastore account: resolved at deploy time from the datastore. */
  | { kind: "workspaceStorage" };

export interface RoleAssignmentPlan {
  /** Stable key for the Pulumi resource name, e.g. "endpoint-azureml-data-scientist-workspace". */
  key: string;
  principal: RolePrincipal;
  roleName: string;
  roleDefinitionGuid: string;
  scope: RoleScope;
}

export interface KeyVaultAccessPolicyPlan {
  principal: RolePrincipal;
  secretPermissions: ("get" | "list")[];
}

/**
 * What `--on azureml` runs need that lives long: a compute cluster that scales to zero, the user-assigned identity
 * the jobs run as (roles: read/write the workspace storage, pull the image, read connection keys), and an
 * environment on the flow image (the serving image, which carries our engine).
 */
export interface JobsPlan {
  clusterName: string;
  vmSize: string;
  minNodes: 0;
  maxNodes: number;
  lowPriority: boolean;
  /** ISO 8601, e.g. PT900S. */
  idleTimeBeforeScaleDown: string;
  identityName: string;
  /** ARM ID of the identity (known before it exists, so jobs and the cluster can name it). */
  identityId: string;
  environmentName: string;
  environmentVersion: string;
  /** ARM ID of the environment version jobs run in. */
  environmentId: string;
}

export interface InfraPlan {
  stack: string;
  environment: string;
  azure: AzureTarget;
  tags: Record<string, string>;
  flow: FlowPlan;
  image: ImagePlan;
  /** The managed online endpoint (azure_managed_endpoint). */
  endpoint?: EndpointPlan;
  /** The Kubernetes online endpoint (kubernetes_endpoint). */
  kubernetesEndpoint?: EndpointPlan;
  webApp?: WebAppPlan;
  jobs?: JobsPlan;
  roleAssignments: RoleAssignmentPlan[];
  keyVaultAccessPolicies: KeyVaultAccessPolicyPlan[];
  /** Things the user should know that are not errors (e.g. a deployment_config.json key that is ignored). */
  notices?: string[];
}
