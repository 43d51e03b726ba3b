import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import type { ManagedEndpointEntry, WebAppEntry } from "../config/deploymentConfigTypes";
import { jsonPath, type PathSegment } from "../config/jsonPath";
import { loadDeploymentConfig } from "../config/loadDeploymentConfig";
import { looseBoolean, looseString } from "../config/looseValues";
import { readStackSettings } from "../config/stackConfig";
import type { ExistingResourceSettings, StackSettings } from "../config/stackSettings";
import { ConfigError } from "../core/userError";
import { assetNamePattern, buildHashOf, kebabCase, versionFromHash } from "./assetNames";
import { buildAzureTarget } from "./azureTarget";
import { buildDatasetPlans } from "./datasets";
import { defaultBaseImage, dockerfileText } from "./dockerfile";
import { buildEndpointPlan } from "./endpointPlan";
import { contentHashOf } from "./flowFolder";
import { readFlowFiles, readFlowInterface } from "../flow/flowFolder";
import { UserError } from "../core/userError";
import { configuredRoleRequests, defaultRoleRequests, planRoleAccess, type RoleRequest } from "./roleAssignments";
import type { FlowDefinition, FlowFile, FlowPlan, ImagePlan, InfraPlan } from "./types";
import { buildWebAppPlan } from "./webAppPlan";
import { planWebAppConnections, type UnresolvedVariables, type WebAppConnections } from "./webAppConnections";
import { loadExperiment } from "../config/experiment";

export interface PlanInput {
  stack: string; // "dev" | "prod" | ...
  projectRoot: string; // folder holding Pulumi.yaml
  /** Stack config values exactly as Pulumi gives them: keys WITHOUT the "llmops:" namespace, values are strings
   *  (structured values are JSON text, as `pulumi.runtime.allConfig()` returns them). */
  stackConfig: Record<string, string>;
  stackConfigFile: string; // for error messages, e.g. "Pulumi.dev.yaml"
  environmentVariables: Record<string, string | undefined>;
  deploymentConfigPath?: string; // overrides the stack config's path (the CLI's --config)
  /**
   * A `${VAR}` in a Web App connection whose variable is unset: "placeholder" (default) shows `<VAR>` and adds a
   * notice, for plans that deploy nothing (`llmops plan`, reading endpoint names); the Pulumi program passes
   * "required" so a deployment never carries a placeholder.
   */
  connectionVariables?: UnresolvedVariables;
}

export const managedByTag = "llmops-pulumi";

function displayPath(projectRoot: string, absolute: string): string {
  const relative = path.relative(projectRoot, absolute);
  return relative.startsWith("..") || path.isAbsolute(relative) ? absolute : relative.split(path.sep).join("/");
}

function findEntry<T extends { ENV_NAME: string }>(list: T[] | undefined, env: string): { entry: T; index: number } | undefined {
  const index = (list ?? []).findIndex((e) => e.ENV_NAME === env);
  return index < 0 || !list ? undefined : { entry: list[index]!, index };
}

function resolveTestFile(projectRoot: string, file: string, at: readonly PathSegment[], value: string): string {
  const absolute = path.resolve(projectRoot, value);
  if (!fs.existsSync(absolute) || !fs.statSync(absolute).isFile()) {
    throw new ConfigError(file, jsonPath([...at, "TEST_FILE_PATH"]), "an existing request file (relative to the project root)", `"${value}" (not found)`);
  }
  return absolute;
}

/** The registry the image goes to: the stack's, or the Web App entry's; both given must agree. */
function chooseRegistry(
  settings: StackSettings,
  webApp: { entry: WebAppEntry; index: number } | undefined,
  deploymentFile: string,
  stackConfigFile: string,
): ExistingResourceSettings & { login?: "entra" | "adminUser" } {
  const named = looseString(webApp?.entry.REGISTRY_NAME);
  const namedGroup = looseString(webApp?.entry.REGISTRY_RG_NAME);
  const stackRegistry = settings.containerRegistry;
  if (stackRegistry && named !== undefined && named.toLowerCase() !== stackRegistry.name.toLowerCase()) {
    throw new ConfigError(
      deploymentFile,
      jsonPath(["webapp_endpoint", webApp?.index ?? 0, "REGISTRY_NAME"]),
      `the stack's container registry "${stackRegistry.name}" (the flow image is built and pushed once), or ""`,
      JSON.stringify(named),
    );
  }
  if (stackRegistry) return namedGroup !== undefined && named !== undefined ? { ...stackRegistry, resourceGroupName: namedGroup } : stackRegistry;
  if (named !== undefined) return { name: named, resourceGroupName: namedGroup ?? settings.resourceGroupName };
  throw new ConfigError(
    stackConfigFile,
    jsonPath(["config", "llmops:containerRegistry"]),
    "a container registry for the flow image (llmops:containerRegistry, or REGISTRY_NAME in the Web App entry)",
    "nothing",
  );
}

function requirementsFileOf(files: FlowFile[], definitionFile: string): string | undefined {
  const dag = files.find((f) => f.relativePath === definitionFile && !definitionFile.endsWith(".prompty"));
  if (dag) {
    try {
      const document: unknown = yaml.load(fs.readFileSync(dag.absolutePath, "utf8"));
      if (typeof document === "object" && document !== null && "environment" in document) {
        const environment = (document as { environment: unknown }).environment;
        if (typeof environment === "object" && environment !== null && "python_requirements_txt" in environment) {
          const declared = (environment as { python_requirements_txt: unknown }).python_requirements_txt;
          if (typeof declared === "string" && files.some((f) => f.relativePath === declared)) return declared;
        }
      }
    } catch {
      // A malformed flow.dag.yaml is the flow validator's to report; the image falls back to requirements.txt.
    }
  }
  return files.some((f) => f.relativePath === "requirements.txt") ? "requirements.txt" : undefined;
}

/** The Web App's connection settings, from the experiment's `connections` (only read when it names any). */
function webAppConnectionsOf(
  input: PlanInput,
  settings: StackSettings,
  entry: WebAppEntry,
  configFile: string,
  index: number,
): WebAppConnections {
  const names = entry.CONNECTION_NAMES ?? [];
  const experimentAbsolute = path.resolve(input.projectRoot, settings.experimentPath);
  let specs: Record<string, unknown>[] = [];
  if (names.length > 0) {
    if (!fs.existsSync(experimentAbsolute)) {
      throw new ConfigError(
        input.stackConfigFile,
        jsonPath(["config", "llmops:experimentPath"]),
        "an experiment.yaml declaring the Web App's connections (relative to the project root)",
        `"${settings.experimentPath}" (not found)`,
      );
    }
    specs = loadExperiment(experimentAbsolute, { env: settings.environment, environmentVariables: input.environmentVariables, resolveSecrets: false })
      .connectionSpecs;
  }
  return planWebAppConnections({
    names,
    namesFile: configFile,
    namesPath: ["webapp_endpoint", index, "CONNECTION_NAMES"],
    specs,
    specsFile: displayPath(input.projectRoot, experimentAbsolute),
    environmentVariables: input.environmentVariables,
    unresolved: input.connectionVariables ?? "placeholder",
  });
}

/** The flow and its serving image, named by one build hash (flow files + generated Dockerfile). */
function buildFlowAndImage(input: PlanInput, settings: StackSettings, managed: ManagedEndpointEntry | undefined): { flow: FlowPlan; image: ImagePlan } {
  const sourceDir = path.resolve(input.projectRoot, settings.flowPath);
  const at = jsonPath(["config", "llmops:flowPath"]);
  if (!fs.existsSync(sourceDir) || !fs.statSync(sourceDir).isDirectory()) {
    throw new ConfigError(input.stackConfigFile, at, "a prompt flow folder (relative to the project root)", `"${settings.flowPath}" (no such folder)`);
  }
  let flowInterface;
  try {
    flowInterface = readFlowInterface(sourceDir, `${input.stackConfigFile}: ${at}`, { entrySignature: false });
  } catch (err) {
    if (err instanceof UserError && !(err instanceof ConfigError)) {
      throw new ConfigError(input.stackConfigFile, at, "a prompt flow folder (flow.dag.yaml, flow.flex.yaml or one .prompty file)", `"${settings.flowPath}" (${err.message})`);
    }
    throw err;
  }
  const files = readFlowFiles(sourceDir);
  const definition: FlowDefinition = {
    kind: flowInterface.kind,
    file: path.relative(sourceDir, flowInterface.file).split(path.sep).join("/"),
    ...(flowInterface.chat ? { chat: { input: flowInterface.chat.input, ...(flowInterface.chat.output ? { output: flowInterface.chat.output } : {}) } } : {}),
  };
  const contentHash = contentHashOf(files);
  const name = path.basename(sourceDir);
  const modelName = `${name}_${settings.environment}`;
  if (!assetNamePattern.test(modelName)) {
    throw new ConfigError(
      input.stackConfigFile,
      at,
      "a flow folder name that, with the environment, forms an Azure ML model name (letters, digits, -, _, .; at most 255)",
      JSON.stringify(modelName),
    );
  }
  const requirementsFile = requirementsFileOf(files, definition.file);
  const dockerfile = dockerfileText({
    flowName: name,
    contentHash,
    baseImage: looseString(managed?.DEPLOYMENT_BASE_IMAGE_NAME) ?? defaultBaseImage,
    ...(requirementsFile !== undefined ? { requirementsFile } : {}),
  });
  const buildHash = buildHashOf(contentHash, dockerfile);
  // One version string for model, environment and image tag: a pinned model version finds its environment by it.
  const version = versionFromHash(buildHash);
  const flow: FlowPlan = {
    name,
    sourceDir,
    definition,
    files,
    contentHash,
    buildHash,
    model: { name: modelName, version, datastorePath: `LocalUpload/${contentHash}/${name}` },
    datasets: buildDatasetPlans(input.projectRoot, settings.datasets, input.stackConfigFile),
  };
  const image: ImagePlan = {
    repository: `llmops/${kebabCase(name)}`,
    tag: version,
    platform: "linux/amd64",
    dockerfile,
    contextDir: sourceDir,
    port: 8080,
  };
  return { flow, image };
}

/**
 * Everything one stack declares, as plain data: the stack config + deployment_config.json + the flow folder.
 * Pure except for reading those files; every user mistake is a ConfigError naming file and JSON path.
 */
export function buildInfraPlan(input: PlanInput): InfraPlan {
  const settings = readStackSettings(input);
  const configAbsolute = path.resolve(input.projectRoot, settings.deploymentConfigPath);
  const configFile = displayPath(input.projectRoot, configAbsolute);
  const chosenBy = input.deploymentConfigPath ? "--config" : input.stackConfigFile;
  const { content } = loadDeploymentConfig(configAbsolute, configFile, chosenBy);
  const env = settings.environment;

  const managed = findEntry(content.azure_managed_endpoint, env);
  const webApp = findEntry(content.webapp_endpoint, env);
  const kubernetes = findEntry(content.kubernetes_endpoint, env);
  const notices: string[] = [];
  if (kubernetes) {
    notices.push(
      `kubernetes_endpoint[${kubernetes.index}] (ENV_NAME "${env}") is validated but not deployed by this tool: ` +
        "deploy Kubernetes online endpoints with the Azure ML CLI.",
    );
  }
  if (!managed && !webApp) {
    const known = [...(content.azure_managed_endpoint ?? []), ...(content.webapp_endpoint ?? [])].map((e) => e.ENV_NAME);
    throw new ConfigError(
      configFile,
      "$",
      `an azure_managed_endpoint or webapp_endpoint entry with ENV_NAME "${env}" (the stack's llmops:environment)` +
        (kubernetes ? "; kubernetes_endpoint entries are not deployed by this tool" : ""),
      known.length > 0 ? `ENV_NAMEs ${[...new Set(known)].map((n) => JSON.stringify(n)).join(", ")}` : "no entries",
    );
  }
  if (managed && looseString(managed.entry.DEPLOYMENT_CONDA_PATH) !== undefined) {
    notices.push(
      `azure_managed_endpoint[${managed.index}].DEPLOYMENT_CONDA_PATH is ignored: the image installs the flow's requirements file.`,
    );
  }

  const registry = chooseRegistry(settings, webApp, configFile, input.stackConfigFile);
  const azure = buildAzureTarget(settings, registry);
  const { flow, image } = buildFlowAndImage(input, settings, managed?.entry);

  const plan: InfraPlan = {
    stack: input.stack,
    environment: env,
    azure,
    tags: { ...settings.tags, environment: env, "managed-by": managedByTag, "flow-content-hash": flow.contentHash },
    flow,
    image,
    roleAssignments: [],
    keyVaultAccessPolicies: [],
  };

  const requests: RoleRequest[] = [];
  if (managed) {
    const base = ["azure_managed_endpoint", managed.index];
    plan.endpoint = buildEndpointPlan({
      entry: managed.entry,
      file: configFile,
      base,
      azure,
      flowName: flow.name,
      testFilePath: resolveTestFile(input.projectRoot, configFile, base, managed.entry.TEST_FILE_PATH),
    });
    if (looseBoolean(managed.entry.DEFAULT_ROLE_ASSIGNMENTS, true)) requests.push(...defaultRoleRequests("endpoint", azure));
    requests.push(...configuredRoleRequests("endpoint", managed.entry.ROLE_ASSIGNMENTS, configFile, [...base, "ROLE_ASSIGNMENTS"]));
  }
  if (webApp) {
    const base = ["webapp_endpoint", webApp.index];
    const connections = webAppConnectionsOf(input, settings, webApp.entry, configFile, webApp.index);
    if (connections.unresolvedVariables.length > 0) {
      notices.push(
        `Web App connection settings show ${connections.unresolvedVariables.map((v) => `<${v}>`).join(", ")}: ` +
          `${connections.unresolvedVariables.join(", ")} not set here; \`pulumi up\` needs them set and fails without them.`,
      );
    }
    plan.webApp = buildWebAppPlan({
      connections,
      entry: webApp.entry,
      resourceGroupName: settings.resourceGroupName,
      testFilePath: resolveTestFile(input.projectRoot, configFile, base, webApp.entry.TEST_FILE_PATH),
    });
    if (looseBoolean(webApp.entry.DEFAULT_ROLE_ASSIGNMENTS, true)) requests.push(...defaultRoleRequests("webapp", azure));
    requests.push(...configuredRoleRequests("webapp", webApp.entry.ROLE_ASSIGNMENTS, configFile, [...base, "ROLE_ASSIGNMENTS"]));
  }
  const access = planRoleAccess(requests, azure);
  plan.roleAssignments = access.roleAssignments;
  plan.keyVaultAccessPolicies = access.keyVaultAccessPolicies;
  if (notices.length > 0) plan.notices = notices;
  return plan;
}
