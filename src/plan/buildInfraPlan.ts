import * as path from "node:path";
import type { LoadedDeploymentConfig, OnlineEndpointEntry, WebAppEntry } from "../config/deploymentConfigTypes";
import { jsonPath, type PathSegment } from "../config/jsonPath";
import { looseBoolean, looseString } from "../config/looseValues";
import type { ExistingResourceSettings, StackSettings } from "../config/stackSettings";
import { ConfigError, UserError } from "../core/userError";
import { assetNamePattern, buildHashOf, kebabCase, versionFromHash } from "./assetNames";
import { buildAzureTarget } from "./azureTarget";
import { buildDatasetPlans, experimentDatasetPlans } from "./datasets";
import { defaultBaseImage, dockerfileText, pinnedImagePattern, promptflowRuntimeImage } from "./dockerfile";
import { buildEndpointPlan, type EndpointEntryOf, type EndpointPlanInput } from "./endpointPlan";
import { contentHashOf } from "./flowFolder";
import { configuredRoleRequests, defaultRoleRequests, jobsRoleRequests, planRoleAccess, type RoleRequest } from "./roleAssignments";
import { buildJobsPlan } from "./jobsPlan";
import type { PlanSources, RequestFileSources } from "./sources";
import type { AzureTarget, EndpointPlan, FlowFile, FlowPlan, ImagePlan, InfraPlan, RolePrincipal } from "./types";
import { buildWebAppPlan } from "./webAppPlan";
import { planWebAppConnections, type UnresolvedVariables, type WebAppConnections } from "./webAppConnections";
import { planEnvYaml } from "../config/envYaml";
import { originalIndex, placeholderNotice, type EntryList } from "../config/deploymentConfigPlaceholders";

/** What the plan takes besides its sources: the environment it is planned in. */
export interface PlanOptions {
  environmentVariables: Record<string, string | undefined>;
  /**
   * A `${VAR}` in a Web App connection whose variable is unset: "placeholder" (default) shows `<VAR>` and adds a
   * notice, for plans that deploy nothing (`llmops plan`, reading endpoint names); the Pulumi program passes
   * "required" so a deployment never carries a placeholder.
   */
  connectionVariables?: UnresolvedVariables;
}

export const managedByTag = "llmops-pulumi";

/** The entry for `env`, with its index in the file (placeholders are not in `content` but count in the file). */
function findEntry<T extends { ENV_NAME: string }>(
  loaded: LoadedDeploymentConfig,
  list: EntryList,
  entries: T[] | undefined,
  env: string,
): { entry: T; index: number } | undefined {
  const index = (entries ?? []).findIndex((e) => e.ENV_NAME === env);
  return index < 0 || !entries ? undefined : { entry: entries[index], index: originalIndex(list, index, loaded.placeholders) };
}

/** TEST_FILE_PATH: relative to the use-case folder in the template's layout, else to the project root. */
function resolveTestFile(requestFiles: RequestFileSources, file: string, at: readonly PathSegment[], value: string): string {
  const { relativeTo, paths } = requestFiles;
  const found = Object.hasOwn(paths, value) ? paths[value] : undefined;
  if (found === undefined) throw new Error(`the plan's sources say nothing of the request file ${JSON.stringify(value)}`);
  if (found.absolute === undefined) {
    throw new ConfigError(file, jsonPath([...at, "TEST_FILE_PATH"]), `a request file inside ${relativeTo}`, `${JSON.stringify(value)} (outside it)`);
  }
  if (!found.isFile) {
    throw new ConfigError(file, jsonPath([...at, "TEST_FILE_PATH"]), `an existing request file (relative to ${relativeTo})`, `"${value}" (not found)`);
  }
  return found.absolute;
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

/** The requirements file the image installs: the one flow.dag.yaml declares when the folder has it, else requirements.txt. */
function requirementsFileOf(files: FlowFile[], declared: string | undefined): string | undefined {
  if (declared !== undefined && files.some((f) => f.relativePath === declared)) return declared;
  return files.some((f) => f.relativePath === "requirements.txt") ? "requirements.txt" : undefined;
}

/** The Web App's connection settings, from the experiment's `connections` (only read when it names any). */
function webAppConnectionsOf(sources: PlanSources, options: PlanOptions, entry: WebAppEntry, configFile: string, index: number): WebAppConnections {
  const experiment = sources.webAppConnections;
  if (experiment === undefined) throw new Error("the plan's sources hold no experiment connections for the Web App entry");
  return planWebAppConnections({
    names: entry.CONNECTION_NAMES ?? [],
    namesFile: configFile,
    namesPath: ["webapp_endpoint", index, "CONNECTION_NAMES"],
    specs: experiment.specs,
    specsFile: experiment.file,
    environmentVariables: options.environmentVariables,
    unresolved: options.connectionVariables ?? "placeholder",
  });
}

/**
 * The serving environment's name. A use case continues the template's: it names the environment after the
 * deployment it builds (CURRENT_DEPLOYMENT_NAME of the managed entry, else of the Kubernetes one); otherwise
 * `<model>-serving`.
 */
function environmentNameOf(settings: StackSettings, modelName: string, endpoint: OnlineEndpointEntry | undefined): string {
  if (settings.useCase !== undefined && endpoint !== undefined) return endpoint.CURRENT_DEPLOYMENT_NAME;
  return `${modelName}-serving`;
}

/** A use case's environment/env.yaml for the deployments and the Web App (the flat layout has none). */
function useCaseEnvironmentOf(
  sources: PlanSources,
  options: PlanOptions,
  notices: string[],
): { values: Record<string, string>; secrets: Record<string, string> } | undefined {
  const envYaml = sources.useCaseEnvironment;
  if (envYaml === undefined) return undefined;
  const planned = planEnvYaml(envYaml.entries, options.environmentVariables, envYaml.file, options.connectionVariables ?? "placeholder");
  if (planned.unresolvedVariables.length > 0) {
    notices.push(`${envYaml.file} shows ${planned.unresolvedVariables.map((v) => `<${v}>`).join(", ")}: not set here; \`pulumi up\` needs them set and fails without them.`);
  }
  return { values: planned.values, secrets: planned.secrets };
}

/** The endpoint of a managed or Kubernetes entry, its request file resolved. */
function endpointPlanOf(
  endpoint: EndpointEntryOf,
  base: PathSegment[],
  configFile: string,
  azure: AzureTarget,
  flowName: string,
  context: { requestFiles: RequestFileSources; useCaseEnvironment: EndpointPlanInput["useCaseEnvironment"] },
): EndpointPlan {
  const { requestFiles, useCaseEnvironment } = context;
  return buildEndpointPlan({
    endpoint,
    file: configFile,
    base,
    azure,
    flowName,
    testFilePath: resolveTestFile(requestFiles, configFile, base, endpoint.entry.TEST_FILE_PATH),
    ...(useCaseEnvironment !== undefined ? { useCaseEnvironment } : {}),
  });
}

/** The template's grants for an endpoint identity (unless DEFAULT_ROLE_ASSIGNMENTS is false) plus the entry's own. */
function endpointRoleRequests(
  principal: RolePrincipal,
  entry: OnlineEndpointEntry,
  configFile: string,
  base: PathSegment[],
  azure: AzureTarget,
): RoleRequest[] {
  return [
    ...(looseBoolean(entry.DEFAULT_ROLE_ASSIGNMENTS, true) ? defaultRoleRequests(principal, azure) : []),
    ...configuredRoleRequests(principal, entry.ROLE_ASSIGNMENTS, configFile, [...base, "ROLE_ASSIGNMENTS"]),
  ];
}

/**
 * DEPLOYMENT_BASE_IMAGE_NAME of the stack's endpoint entries: one image serves every endpoint of the stack, so a
 * managed and a Kubernetes entry naming different base images is an error.
 */
function baseImageOf(entries: readonly { list: string; entry: OnlineEndpointEntry; index: number }[], configFile: string): string | undefined {
  let chosen: { image: string; at: string } | undefined;
  for (const { list, entry, index } of entries) {
    const image = looseString(entry.DEPLOYMENT_BASE_IMAGE_NAME);
    if (image === undefined) continue;
    if (chosen !== undefined && chosen.image !== image) {
      throw new ConfigError(
        configFile,
        jsonPath([list, index, "DEPLOYMENT_BASE_IMAGE_NAME"]),
        `the base image ${chosen.at} names (one image serves every endpoint of the stack), or ""`,
        JSON.stringify(image),
      );
    }
    chosen ??= { image, at: `${list}[${index}]` };
  }
  return chosen?.image;
}

/** The flow and its serving image, named by one build hash (flow files + generated Dockerfile). */
function buildFlowAndImage(
  sources: PlanSources,
  endpoints: { baseImage: string | undefined; first: OnlineEndpointEntry | undefined },
  /** Where things the user should know (not errors) are added. */
  notices: string[],
): { flow: FlowPlan; image: ImagePlan } {
  const { settings, experiment, stackConfigFile } = sources;
  const { sourceDir, definition, files } = sources.flow;
  const { file, jsonPath: at } = sources.flow.namedIn;
  const contentHash = contentHashOf(files);
  const name = path.basename(sourceDir);
  // The template's model name, so a migrating user's version history continues: <experiment name>_<env>.
  const modelName = `${experiment?.name ?? name}_${settings.environment}`;
  if (!assetNamePattern.test(modelName)) {
    throw new ConfigError(
      file,
      at,
      "a name that, with the environment, forms an Azure ML model name (letters, digits, -, _, .; at most 255)",
      JSON.stringify(modelName),
    );
  }
  const requirementsFile = requirementsFileOf(files, sources.flow.declaredRequirementsFile);
  const { engine } = settings.serving;
  const templateBase = endpoints.baseImage;
  if (engine === "llmops") {
    requireServableFlow(sources.flow.engineRefusal, stackConfigFile);
    if (templateBase !== undefined) {
      notices.push(
        `DEPLOYMENT_BASE_IMAGE_NAME (${templateBase}) is ignored: it names a prompt flow runtime base; the llmops engine's image builds on llmops:serving.baseImage (default ${defaultBaseImage}).`,
      );
    }
  }
  const baseImage = engine === "llmops" ? (settings.serving.baseImage ?? defaultBaseImage) : (templateBase ?? promptflowRuntimeImage);
  if (engine === "llmops" && !pinnedImagePattern.test(baseImage)) {
    throw new ConfigError(stackConfigFile, jsonPath(["config", "llmops:serving", "baseImage"]), "an image pinned by digest (<image>@sha256:<64 hex>)", JSON.stringify(baseImage));
  }
  const dockerfile = dockerfileText({
    engine,
    flowName: name,
    contentHash,
    baseImage,
    ...(requirementsFile !== undefined ? { requirementsFile } : {}),
  });
  // The llmops image compiles this package's sources: a new runtime is a new build.
  const runtime = engine === "llmops" ? sources.runtime : undefined;
  if (engine === "llmops" && runtime === undefined) throw new Error("the plan's sources hold no llmops runtime for the llmops engine");
  const buildHash = buildHashOf(contentHash, runtime !== undefined ? `${dockerfile}\u0000runtime ${runtime.hash}` : dockerfile);
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
    environmentName: environmentNameOf(settings, modelName, endpoints.first),
    datasets:
      sources.dataFiles.from === "experiment"
        ? experimentDatasetPlans(sources.dataFiles.file, sources.dataFiles.datasets)
        : buildDatasetPlans(settings.datasets, sources.dataFiles.matches, stackConfigFile),
  };
  const image: ImagePlan = {
    // The template pushes <use case folder>_<env>; the flat layout keeps llmops/<flow>.
    repository: settings.useCase !== undefined ? `${path.basename(settings.useCase)}_${settings.environment}`.toLowerCase() : `llmops/${kebabCase(name)}`,
    tag: version,
    platform: "linux/amd64",
    dockerfile,
    engine,
    contextDir: sourceDir,
    ...(runtime !== undefined ? { runtimeDir: runtime.dir } : {}),
    port: 8080,
  };
  return { flow, image };
}

/**
 * With `serving.engine: llmops` a flow our engine refuses (a package tool, an unknown node type, ...) is refused
 * here, before anything is built or deployed, with the engine's own reason (the loader asked the engine).
 */
function requireServableFlow(engineRefusal: string | undefined, stackConfigFile: string): void {
  if (engineRefusal === undefined) return;
  throw new UserError(
    `${stackConfigFile}: llmops:serving.engine is "llmops" (the default), and the llmops engine refuses this flow: ${engineRefusal}. ` +
      `Change the flow, or set llmops:serving.engine: promptflow to serve it with prompt flow's runtime image (retired 2027-04-20).`,
  );
}

/**
 * Everything one stack declares, as plain data: the stack config + deployment_config.json + the flow folder,
 * as src/plan/load/ read them. Pure: the same sources and options give the same plan, and nothing is read;
 * every user mistake is a ConfigError naming file and JSON path.
 */
export function buildInfraPlan(sources: PlanSources, options: PlanOptions): InfraPlan {
  const { settings, stackConfigFile } = sources;
  const loaded = sources.deploymentConfig;
  const { content, file: configFile } = loaded;
  const env = settings.environment;

  const managed = findEntry(loaded, "azure_managed_endpoint", content.azure_managed_endpoint, env);
  const webApp = findEntry(loaded, "webapp_endpoint", content.webapp_endpoint, env);
  const kubernetes = findEntry(loaded, "kubernetes_endpoint", content.kubernetes_endpoint, env);
  const notices: string[] = loaded.placeholders.filter((p) => p.env === env).map((p) => `${configFile}: ${placeholderNotice(p)}`);
  if (!managed && !kubernetes && !webApp) {
    const known = [...(content.azure_managed_endpoint ?? []), ...(content.kubernetes_endpoint ?? []), ...(content.webapp_endpoint ?? [])].map((e) => e.ENV_NAME);
    throw new ConfigError(
      configFile,
      "$",
      `an azure_managed_endpoint, kubernetes_endpoint or webapp_endpoint entry with ENV_NAME "${env}" (the stack's llmops:environment)` +
        (loaded.placeholders.some((p) => p.env === env) ? `; the entries for "${env}" are placeholders: fill their names` : ""),
      known.length > 0 ? `ENV_NAMEs ${[...new Set(known)].map((n) => JSON.stringify(n)).join(", ")}` : "no entries",
    );
  }
  const endpointEntries = [
    ...(managed ? [{ list: "azure_managed_endpoint", ...managed }] : []),
    ...(kubernetes ? [{ list: "kubernetes_endpoint", ...kubernetes }] : []),
  ];
  for (const { list, entry, index } of endpointEntries) {
    if (looseString(entry.DEPLOYMENT_CONDA_PATH) !== undefined) {
      notices.push(`${list}[${index}].DEPLOYMENT_CONDA_PATH is ignored: the image installs the flow's requirements file.`);
    }
  }

  const registry = chooseRegistry(settings, webApp, configFile, stackConfigFile);
  const azure = buildAzureTarget(settings, registry);
  const useCaseEnvironment = useCaseEnvironmentOf(sources, options, notices);
  const { flow, image } = buildFlowAndImage(sources, {
    baseImage: baseImageOf(endpointEntries, configFile),
    first: endpointEntries[0]?.entry,
  }, notices);

  const plan: InfraPlan = {
    stack: sources.stack,
    environment: env,
    azure,
    tags: { ...settings.tags, environment: env, "managed-by": managedByTag, "flow-content-hash": flow.contentHash },
    flow,
    image,
    roleAssignments: [],
    keyVaultAccessPolicies: [],
  };

  const requests: RoleRequest[] = [];
  const endpointContext = { requestFiles: sources.requestFiles, useCaseEnvironment };
  if (managed) {
    const base = ["azure_managed_endpoint", managed.index];
    plan.endpoint = endpointPlanOf({ kind: "managed", entry: managed.entry }, base, configFile, azure, flow.name, endpointContext);
    requests.push(...endpointRoleRequests("endpoint", managed.entry, configFile, base, azure));
  }
  if (kubernetes) {
    const base = ["kubernetes_endpoint", kubernetes.index];
    plan.kubernetesEndpoint = endpointPlanOf({ kind: "kubernetes", entry: kubernetes.entry }, base, configFile, azure, flow.name, endpointContext);
    requests.push(...endpointRoleRequests("kubernetesEndpoint", kubernetes.entry, configFile, base, azure));
  }
  if (webApp) {
    const base = ["webapp_endpoint", webApp.index];
    const connections = webAppConnectionsOf(sources, options, webApp.entry, configFile, webApp.index);
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
      testFilePath: resolveTestFile(sources.requestFiles, configFile, base, webApp.entry.TEST_FILE_PATH),
      ...(useCaseEnvironment !== undefined ? { useCaseEnvironment } : {}),
    });
    if (looseBoolean(webApp.entry.DEFAULT_ROLE_ASSIGNMENTS, true)) requests.push(...defaultRoleRequests("webapp", azure));
    requests.push(...configuredRoleRequests("webapp", webApp.entry.ROLE_ASSIGNMENTS, configFile, [...base, "ROLE_ASSIGNMENTS"]));
  }
  const jobs = buildJobsPlan(settings, azure, flow, image);
  if (jobs !== undefined) {
    plan.jobs = jobs;
    requests.push(...jobsRoleRequests());
  }
  const access = planRoleAccess(requests, azure);
  plan.roleAssignments = access.roleAssignments;
  plan.keyVaultAccessPolicies = access.keyVaultAccessPolicies;
  if (notices.length > 0) plan.notices = notices;
  return plan;
}
