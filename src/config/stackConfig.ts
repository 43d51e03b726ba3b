import { ConfigError } from "../core/userError";
import { jsonPath } from "./jsonPath";
import { refusePlainSecret } from "./secretGuard";
import { validateAgainstSchema } from "./schemaValidation";
import type { DatasetSource, StackSettings } from "./stackSettings";
import { isRecord } from "../core/values";

export const configNamespace = "llmops";
export const defaultDeploymentConfigPath = "config/deployment_config.json";
export const defaultFlowPath = "flows/support_ticket_classifier";
export const defaultExperimentPath = "flows/experiment.yaml";

/** Where the template's layout keeps a use case's files, relative to the use-case folder. */
export const useCaseFiles = { deploymentConfig: "configs/deployment_config.json", experiment: "experiment.yaml" } as const;

/** The template's environment variables file, relative to the use-case folder (and to an experiment's folder). */
export const useCaseEnvironmentFile = "environment/env.yaml";

/** `<useCase>/<file>` with POSIX separators, as paths are written in Pulumi.<stack>.yaml. */
export function inUseCase(useCase: string, file: string): string {
  return `${useCase.replace(/\/+$/, "")}/${file}`;
}

/** Keys whose Pulumi config values are structured, so Pulumi hands them over as JSON text. */
const structuredKeys = new Set(["keyVault", "containerRegistry", "openAi", "datasets", "tags", "serving", "jobs"]);

/**
 * CI sets these (the template's variable names) to point a stack at other resources without editing
 * Pulumi.<stack>.yaml. Empty values are ignored, as unset repository variables arrive as "".
 */
export const environmentOverrides = {
  RESOURCE_GROUP_NAME: "resourceGroupName",
  WORKSPACE_NAME: "workspaceName",
  KEY_VAULT_NAME: "keyVault.name",
} as const;

function configPath(key: string, ...rest: string[]): string {
  return jsonPath(["config", `${configNamespace}:${key}`, ...rest]);
}

/**
 * Stack config as Pulumi gives it (keys without namespace, string values, structured ones as JSON text) →
 * the document shape of Pulumi.<stack>.yaml, so one schema validates both the file and what Pulumi passes.
 */
export function stackConfigDocument(stackConfig: Record<string, string>, file: string): { config: Record<string, unknown> } {
  const config: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(stackConfig)) {
    if (!structuredKeys.has(key)) {
      config[`${configNamespace}:${key}`] = text;
      continue;
    }
    try {
      config[`${configNamespace}:${key}`] = JSON.parse(text);
    } catch {
      throw new ConfigError(file, configPath(key), "a structured value (an object or list in YAML)", "text that is not valid JSON");
    }
  }
  return { config };
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

// Same rules as the stack schema, for values that arrive through environment variables.
const overrideRules: Record<keyof typeof environmentOverrides, { pattern: RegExp; expected: string }> = {
  RESOURCE_GROUP_NAME: {
    pattern: /^[-\w._()]{0,89}[-\w()]$/,
    expected: "a resource group name: 1-90 letters, digits, underscores, hyphens, periods or parentheses",
  },
  WORKSPACE_NAME: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9_-]{2,32}$/,
    expected: "an Azure ML workspace name: 3-33 letters, digits, hyphens or underscores",
  },
  KEY_VAULT_NAME: {
    pattern: /^[A-Za-z](?!.*--)[A-Za-z0-9-]{1,22}[A-Za-z0-9]$/,
    expected: "a Key Vault name: 3-24 letters, digits or hyphens, starting with a letter",
  },
};

function override(
  name: keyof typeof environmentOverrides,
  environmentVariables: Record<string, string | undefined>,
): string | undefined {
  const value = nonEmpty(environmentVariables[name]);
  if (value === undefined) return undefined;
  const rule = overrideRules[name];
  if (!rule.pattern.test(value)) {
    throw new ConfigError("environment variables", `$env.${name}`, rule.expected, JSON.stringify(value));
  }
  return value;
}

function datasetSources(value: unknown): DatasetSource[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((item): DatasetSource => {
    if (typeof item === "string") return { path: item };
    const record = isRecord(item) ? item : {};
    const source: DatasetSource = { path: String(record.path) };
    const name = optionalString(record.name);
    const description = optionalString(record.description);
    if (name !== undefined) source.name = name;
    if (description !== undefined) source.description = description;
    return source;
  });
}

/** `llmops:serving` (shape checked by the schema): the engine defaults to llmops, the base image to the plan's pinned one. */
function servingSettings(value: unknown): StackSettings["serving"] {
  const record = isRecord(value) ? value : {};
  const serving: StackSettings["serving"] = { engine: record.engine === "promptflow" ? "promptflow" : "llmops" };
  const baseImage = optionalString(record.baseImage);
  if (baseImage !== undefined) serving.baseImage = baseImage;
  return serving;
}

function stringRecord(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (isRecord(value)) for (const [k, v] of Object.entries(value)) if (typeof v === "string") result[k] = v;
  return result;
}

/** Tags the plan sets on resources itself; a stack tag of the same name would be overwritten without a word. */
export const planTagNames = ["environment", "managed-by", "flow-content-hash", "flow-name", "deployment-role"] as const;

/** Tags are plain text anyone with Reader access sees: no reserved names, no secrets (the schema checks the limits). */
function checkedTags(tags: Record<string, string>, file: string): Record<string, string> {
  for (const [name, value] of Object.entries(tags)) {
    const at = configPath("tags", name);
    if ((planTagNames as readonly string[]).includes(name.toLowerCase())) {
      throw new ConfigError(file, at, `a tag name the plan does not set itself (it sets ${planTagNames.join(", ")})`, `the tag "${name}"`);
    }
    refusePlainSecret(file, at, name, value, "a tag without a secret (tags are plain text readable by anyone who can read the resource)");
  }
  return tags;
}

export interface StackConfigInput {
  stack: string;
  stackConfig: Record<string, string>;
  stackConfigFile: string;
  environmentVariables: Record<string, string | undefined>;
  /** The CLI's --config: wins over llmops:deploymentConfigPath. */
  deploymentConfigPath?: string;
}

/** Validates the stack config, applies defaults and the CI environment-variable overrides. Pure. */
export function readStackSettings(input: StackConfigInput): StackSettings {
  const file = input.stackConfigFile;
  const document = stackConfigDocument(input.stackConfig, file);
  validateAgainstSchema("stack-config", file, document);
  const config = document.config;
  const get = (key: string): unknown => config[`${configNamespace}:${key}`];

  const subscriptionId = optionalString(get("subscriptionId")) ?? nonEmpty(input.environmentVariables.ARM_SUBSCRIPTION_ID);
  if (subscriptionId === undefined) {
    throw new ConfigError(file, configPath("subscriptionId"), "the Azure subscription ID (or ARM_SUBSCRIPTION_ID set)", "nothing");
  }
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(subscriptionId)) {
    throw new ConfigError("environment variables", "$env.ARM_SUBSCRIPTION_ID", "a subscription ID (a GUID)", JSON.stringify(subscriptionId));
  }

  const resourceGroupName =
    override("RESOURCE_GROUP_NAME", input.environmentVariables) ?? String(get("resourceGroupName"));
  const workspaceName = override("WORKSPACE_NAME", input.environmentVariables) ?? String(get("workspaceName"));

  const keyVaultConfig = isRecord(get("keyVault")) ? (get("keyVault") as Record<string, unknown>) : {};
  const keyVault: StackSettings["keyVault"] = {
    name: override("KEY_VAULT_NAME", input.environmentVariables) ?? String(keyVaultConfig.name),
    resourceGroupName: optionalString(keyVaultConfig.resourceGroupName) ?? resourceGroupName,
    authorization: keyVaultConfig.authorization === "accessPolicy" ? "accessPolicy" : "rbac",
  };
  const tenantId = optionalString(keyVaultConfig.tenantId);
  if (tenantId !== undefined) keyVault.tenantId = tenantId;

  const useCase = optionalString(get("useCase"));
  const settings: StackSettings = {
    environment: optionalString(get("environment")) ?? input.stack,
    subscriptionId,
    location: String(get("location")),
    resourceGroupName,
    workspaceName,
    keyVault,
    deploymentConfigPath:
      nonEmpty(input.deploymentConfigPath) ??
      optionalString(get("deploymentConfigPath")) ??
      (useCase !== undefined ? inUseCase(useCase, useCaseFiles.deploymentConfig) : defaultDeploymentConfigPath),
    experimentPath:
      optionalString(get("experimentPath")) ?? (useCase !== undefined ? inUseCase(useCase, useCaseFiles.experiment) : defaultExperimentPath),
    tags: checkedTags(stringRecord(get("tags")), file),
    serving: servingSettings(get("serving")),
  };
  if (useCase !== undefined) settings.useCase = useCase;
  const flowPath = optionalString(get("flowPath")) ?? (useCase !== undefined ? undefined : defaultFlowPath);
  if (flowPath !== undefined) settings.flowPath = flowPath;
  for (const key of ["containerRegistry", "openAi"] as const) {
    const value = get(key);
    if (!isRecord(value)) continue;
    settings[key] = {
      name: String(value.name),
      resourceGroupName: optionalString(value.resourceGroupName) ?? resourceGroupName,
    };
  }
  // Registry login mode (the schema allows only these two values).
  const registryConfig = get("containerRegistry");
  if (settings.containerRegistry && isRecord(registryConfig) && (registryConfig.login === "entra" || registryConfig.login === "adminUser")) {
    settings.containerRegistry.login = registryConfig.login;
  }
  const jobs = get("jobs");
  if (isRecord(jobs)) {
    // The schema checked every field's type and range.
    settings.jobs = {};
    if (typeof jobs.clusterName === "string") settings.jobs.clusterName = jobs.clusterName;
    if (typeof jobs.vmSize === "string") settings.jobs.vmSize = jobs.vmSize;
    if (typeof jobs.maxNodes === "number") settings.jobs.maxNodes = jobs.maxNodes;
    if (typeof jobs.lowPriority === "boolean") settings.jobs.lowPriority = jobs.lowPriority;
    if (typeof jobs.idleSecondsBeforeScaleDown === "number") settings.jobs.idleSecondsBeforeScaleDown = jobs.idleSecondsBeforeScaleDown;
  }
  const datasets = datasetSources(get("datasets"));
  if (datasets !== undefined) settings.datasets = datasets;
  return settings;
}
