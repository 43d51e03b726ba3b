import type { PlaceholderEntry } from "./deploymentConfigPlaceholders";

/**
 * The shape of config/deployment_config.json after schema validation (config/schema/deployment_config.schema.json).
 * Key names follow the LLMOps prompt flow template so its files load unchanged; numbers may arrive as strings
 * ("90") because the template writes them that way.
 */

/** A percentage or count as the template writes it: a number, a digit string, or "" for "not set". */
export type LooseNumber = number | string;
/** Booleans may be written as true/false or "true"/"false". */
export type LooseBoolean = boolean | "true" | "false";

export interface ProbeConfig {
  INITIAL_DELAY_SECONDS?: LooseNumber;
  PERIOD_SECONDS?: LooseNumber;
  TIMEOUT_SECONDS?: LooseNumber;
  FAILURE_THRESHOLD?: LooseNumber;
  SUCCESS_THRESHOLD?: LooseNumber;
}

export interface AutoscaleConfig {
  MIN_INSTANCES: LooseNumber;
  MAX_INSTANCES: LooseNumber;
  TARGET_UTILIZATION?: LooseNumber;
}

export interface RoleAssignmentConfig {
  /** Built-in role name ("AcrPull") or a role definition GUID. */
  ROLE: string;
  /** workspace | key_vault | registry | storage | openai | a full ARM resource ID. */
  SCOPE: string;
  /** Defaults to the principal of the entry the list sits in; must match it when given. */
  PRINCIPAL?: "endpoint" | "webapp";
}

/** Keys shared by azure_managed_endpoint and kubernetes_endpoint entries: the template's, then our additions. */
export interface OnlineEndpointEntry {
  ENV_NAME: string;
  TEST_FILE_PATH: string;
  ENDPOINT_NAME: string;
  ENDPOINT_DESC?: string;
  DEPLOYMENT_DESC?: string;
  PRIOR_DEPLOYMENT_NAME?: string;
  PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION?: LooseNumber;
  CURRENT_DEPLOYMENT_NAME: string;
  CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION?: LooseNumber;
  /** A VM SKU on managed endpoints; an instance type of the cluster on Kubernetes (absent: the compute's default). */
  DEPLOYMENT_VM_SIZE?: string;
  DEPLOYMENT_INSTANCE_COUNT: LooseNumber;
  ENVIRONMENT_VARIABLES?: Record<string, string>;
  /** Accepted from older template versions: the base image of the serving container. */
  DEPLOYMENT_BASE_IMAGE_NAME?: string;
  /** Accepted from older template versions and ignored (the image installs the flow's requirements.txt). */
  DEPLOYMENT_CONDA_PATH?: string;
  PRIOR_DEPLOYMENT_MODEL_VERSION?: string;
  PRIOR_DEPLOYMENT_IMAGE?: string;
  CURRENT_DEPLOYMENT_MODEL_VERSION?: string;
  CURRENT_DEPLOYMENT_IMAGE?: string;
  MIRROR_TRAFFIC?: LooseNumber;
  AUTH_MODE?: "key" | "aad_token";
  REQUEST_TIMEOUT_MS?: LooseNumber;
  MAX_CONCURRENT_REQUESTS_PER_INSTANCE?: LooseNumber;
  LIVENESS_PROBE?: ProbeConfig;
  READINESS_PROBE?: ProbeConfig;
  AUTOSCALE?: AutoscaleConfig;
  APP_INSIGHTS_ENABLED?: LooseBoolean;
  DATA_COLLECTION?: LooseBoolean;
  ROLE_ASSIGNMENTS?: RoleAssignmentConfig[];
  DEFAULT_ROLE_ASSIGNMENTS?: LooseBoolean;
}

export interface ManagedEndpointEntry extends OnlineEndpointEntry {
  DEPLOYMENT_VM_SIZE: string;
}

export interface KubernetesEndpointEntry extends OnlineEndpointEntry {
  /** The attached Kubernetes compute of the workspace the endpoint runs on. */
  COMPUTE_NAME: string;
  /** Kubernetes CPU request per container: cores ("1", 0.5) or millicores ("500m"); "" = not set. */
  CPU_ALLOCATION?: LooseNumber;
  /** Kubernetes memory request per container with a unit ("0.5Gi", "512Mi"); "" = not set. */
  MEMORY_ALLOCATION?: string;
}

export interface WebAppEntry {
  ENV_NAME: string;
  TEST_FILE_PATH: string;
  CONNECTION_NAMES?: string[];
  REGISTRY_NAME?: string;
  REGISTRY_RG_NAME?: string;
  APP_PLAN_NAME: string;
  WEB_APP_NAME: string;
  WEB_APP_RG_NAME?: string;
  WEB_APP_SKU?: string;
  USER_MANAGED_ID?: string;
  ENVIRONMENT_VARIABLES?: Record<string, string>;
  ROLE_ASSIGNMENTS?: RoleAssignmentConfig[];
  DEFAULT_ROLE_ASSIGNMENTS?: LooseBoolean;
}

export interface DeploymentConfigFile {
  $schema?: string;
  azure_managed_endpoint?: ManagedEndpointEntry[];
  kubernetes_endpoint?: KubernetesEndpointEntry[];
  webapp_endpoint?: WebAppEntry[];
}

/**
 * The deployment config with its file name, as loaded. `content` leaves out the placeholder entries (all names
 * blank); `placeholders` lists them, and originalIndex() (deploymentConfigPlaceholders.ts) turns an index into
 * `content`'s lists back into the file's for error paths.
 */
export interface LoadedDeploymentConfig {
  file: string;
  content: DeploymentConfigFile;
  placeholders: PlaceholderEntry[];
}
