import * as fs from "node:fs";
import * as path from "node:path";
import { readYamlFile } from "../core/yaml";
import type { OnlineEndpointEntry, WebAppEntry } from "../config/deploymentConfigTypes";
import { jsonPath, type PathSegment } from "../config/jsonPath";
import { loadDeploymentConfig } from "../config/loadDeploymentConfig";
import { looseBoolean, looseString } from "../config/looseValues";
import { resolveInside } from "../config/projectPaths";
import { readStackSettings } from "../config/stackConfig";
import type { ExistingResourceSettings, StackSettings } from "../config/stackSettings";
import { ConfigError } from "../core/userError";
import { assetNamePattern, buildHashOf, kebabCase, versionFromHash } from "./assetNames";
import { buildAzureTarget } from "./azureTarget";
import { buildDatasetPlans, experimentDatasetPlans } from "./datasets";
import { defaultBaseImage, dockerfileText, pinnedImagePattern, promptflowRuntimeImage } from "./dockerfile";
import { llmopsRuntimeRoot, runtimeHashOf } from "./runtimeSources";
import { loadFlow } from "../flow/loadFlow";
import { buildEndpointPlan, type EndpointEntryOf, type EndpointPlanInput } from "./endpointPlan";
import { contentHashOf } from "./flowFolder";
import { readFlowFiles, readFlowInterface } from "../flow/flowFolder";
import { UserError } from "../core/userError";
import { configuredRoleRequests, defaultRoleRequests, jobsRoleRequests, planRoleAccess, type RoleRequest } from "./roleAssignments";
import { buildJobsPlan } from "./jobsPlan";
import type { AzureTarget, EndpointPlan, FlowDefinition, FlowFile, FlowPlan, ImagePlan, InfraPlan, RolePrincipal } from "./types";
import { buildWebAppPlan } from "./webAppPlan";
import { planWebAppConnections, type UnresolvedVariables, type WebAppConnections } from "./webAppConnections";
import { planEnvYaml, readEnvYaml } from "../config/envYaml";
import { useCaseEnvironmentFile } from "../config/stackConfig";
import { loadExperiment, readExperimentOutline, type ExperimentOutline } from "../config/experiment";
import { originalIndex, placeholderNotice, type EntryList } from "../config/deploymentConfigPlaceholders";
import type { LoadedDeploymentConfig } from "../config/deploymentConfigTypes";

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

/** A path from a config file, inside `root` or refused (ConfigError at `jsonPathText` of `file`). */
function pathInside(root: string, rootWords: string, value: string, file: string, jsonPathText: string, what: string): string {
  const absolute = resolveInside(root, value);
  if (absolute === undefined) {
    throw new ConfigError(file, jsonPathText, `${what} inside ${rootWords}`, `${JSON.stringify(value)} (outside it)`);
  }
  return absolute;
}

/** TEST_FILE_PATH: relative to the use-case folder in the template's layout, else to the project root. */
function resolveTestFile(baseDir: string, baseWords: string, file: string, at: readonly PathSegment[], value: string): string {
  const absolute = pathInside(baseDir, baseWords, value, file, jsonPath([...at, "TEST_FILE_PATH"]), "a request file");
  if (!fs.existsSync(absolute) || !fs.statSync(absolute).isFile()) {
    throw new ConfigError(file, jsonPath([...at, "TEST_FILE_PATH"]), `an existing request file (relative to ${baseWords})`, `"${value}" (not found)`);
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
      const document = readYamlFile(dag.absolutePath);
      if (typeof document === "object" && document !== null && "environment" in document) {
        const environment = (document).environment;
        if (typeof environment === "object" && environment !== null && "python_requirements_txt" in environment) {
          const declared = (environment).python_requirements_txt;
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
  const experimentAbsolute = pathInside(
    input.projectRoot,
    "the project",
    settings.experimentPath,
    input.stackConfigFile,
    jsonPath(["config", "llmops:experimentPath"]),
    "an experiment file",
  );
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
  input: PlanInput,
  settings: StackSettings,
  notices: string[],
): { values: Record<string, string>; secrets: Record<string, string> } | undefined {
  if (settings.useCase === undefined) return undefined;
  const absolute = path.resolve(input.projectRoot, settings.useCase, useCaseEnvironmentFile);
  const entries = readEnvYaml(absolute);
  if (entries === undefined) return undefined;
  const shown = displayPath(input.projectRoot, absolute);
  const planned = planEnvYaml(entries, input.environmentVariables, shown, input.connectionVariables ?? "placeholder");
  if (planned.unresolvedVariables.length > 0) {
    notices.push(`${shown} shows ${planned.unresolvedVariables.map((v) => `<${v}>`).join(", ")}: not set here; \`pulumi up\` needs them set and fails without them.`);
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
  context: { testFile: { base: string; words: string }; useCaseEnvironment: EndpointPlanInput["useCaseEnvironment"] },
): EndpointPlan {
  const { testFile, useCaseEnvironment } = context;
  return buildEndpointPlan({
    endpoint,
    file: configFile,
    base,
    azure,
    flowName,
    testFilePath: resolveTestFile(testFile.base, testFile.words, configFile, base, endpoint.entry.TEST_FILE_PATH),
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

/**
 * The experiment a use case's flow comes from (its flow, datasets and model name). The flat layout names the
 * flow folder in the stack config and reads no experiment here.
 */
function experimentOutlineOf(input: PlanInput, settings: StackSettings): ExperimentOutline | undefined {
  if (settings.useCase === undefined) return undefined;
  const absolute = pathInside(input.projectRoot, "the project", settings.experimentPath, input.stackConfigFile, jsonPath(["config", "llmops:experimentPath"]), "an experiment file");
  if (fs.existsSync(absolute)) return readExperimentOutline(absolute, settings.environment);
  throw new ConfigError(
    input.stackConfigFile,
    jsonPath(["config", "llmops:experimentPath"]),
    `the use case's experiment.yaml (${settings.experimentPath})`,
    `"${settings.experimentPath}" (not found)`,
  );
}

/** The flow and its serving image, named by one build hash (flow files + generated Dockerfile). */
function buildFlowAndImage(
  input: PlanInput,
  settings: StackSettings,
  experiment: ExperimentOutline | undefined,
  endpoints: { baseImage: string | undefined; first: OnlineEndpointEntry | undefined },
  /** Where things the user should know (not errors) are added. */
  notices: string[],
): { flow: FlowPlan; image: ImagePlan } {
  const fromExperiment = settings.flowPath === undefined && experiment !== undefined;
  const sourceDir =
    settings.flowPath !== undefined
      ? pathInside(input.projectRoot, "the project", settings.flowPath, input.stackConfigFile, jsonPath(["config", "llmops:flowPath"]), "a prompt flow folder")
      : experiment!.flow;
  const shown = displayPath(input.projectRoot, sourceDir);
  const [file, at] = fromExperiment ? [displayPath(input.projectRoot, experiment.file), "$.flow"] : [input.stackConfigFile, jsonPath(["config", "llmops:flowPath"])];
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
  const requirementsFile = requirementsFileOf(files, definition.file);
  const { engine } = settings.serving;
  const templateBase = endpoints.baseImage;
  if (engine === "llmops") {
    requireServableFlow(sourceDir, definition, input.stackConfigFile);
    if (templateBase !== undefined) {
      notices.push(
        `DEPLOYMENT_BASE_IMAGE_NAME (${templateBase}) is ignored: it names a prompt flow runtime base; the llmops engine's image builds on llmops:serving.baseImage (default ${defaultBaseImage}).`,
      );
    }
  }
  const baseImage = engine === "llmops" ? (settings.serving.baseImage ?? defaultBaseImage) : (templateBase ?? promptflowRuntimeImage);
  if (engine === "llmops" && !pinnedImagePattern.test(baseImage)) {
    throw new ConfigError(input.stackConfigFile, jsonPath(["config", "llmops:serving", "baseImage"]), "an image pinned by digest (<image>@sha256:<64 hex>)", JSON.stringify(baseImage));
  }
  const dockerfile = dockerfileText({
    engine,
    flowName: name,
    contentHash,
    baseImage,
    ...(requirementsFile !== undefined ? { requirementsFile } : {}),
  });
  // The llmops image compiles this package's sources: a new runtime is a new build.
  const buildHash = buildHashOf(contentHash, engine === "llmops" ? `${dockerfile}\u0000runtime ${runtimeHashOf()}` : dockerfile);
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
      settings.datasets === undefined && settings.useCase !== undefined && experiment !== undefined
        ? experimentDatasetPlans(experiment, displayPath(input.projectRoot, experiment.file))
        : buildDatasetPlans(input.projectRoot, settings.datasets, input.stackConfigFile),
  };
  const image: ImagePlan = {
    // The template pushes <use case folder>_<env>; the flat layout keeps llmops/<flow>.
    repository: settings.useCase !== undefined ? `${path.basename(settings.useCase)}_${settings.environment}`.toLowerCase() : `llmops/${kebabCase(name)}`,
    tag: version,
    platform: "linux/amd64",
    dockerfile,
    engine,
    contextDir: sourceDir,
    ...(engine === "llmops" ? { runtimeDir: llmopsRuntimeRoot } : {}),
    port: 8080,
  };
  return { flow, image };
}

/**
 * With `serving.engine: llmops` a flow our engine refuses (a package tool, an unknown node type, ...) is refused
 * here, before anything is built or deployed, with the engine's own reason. Flex and prompty definitions are read
 * by the flow folder reader already; DAGs are validated in full.
 */
function requireServableFlow(sourceDir: string, definition: FlowDefinition, stackConfigFile: string): void {
  if (definition.kind !== "dag") return;
  try {
    loadFlow(sourceDir);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    throw new UserError(
      `${stackConfigFile}: llmops:serving.engine is "llmops" (the default), and the llmops engine refuses this flow: ${err.message}. ` +
        `Change the flow, or set llmops:serving.engine: promptflow to serve it with prompt flow's runtime image (retired 2027-04-20).`,
    );
  }
}

/**
 * Everything one stack declares, as plain data: the stack config + deployment_config.json + the flow folder.
 * Pure except for reading those files; every user mistake is a ConfigError naming file and JSON path.
 */
export function buildInfraPlan(input: PlanInput): InfraPlan {
  const settings = readStackSettings(input);
  // --config is the caller's own choice; a path from the stack file stays inside the project.
  const configAbsolute = input.deploymentConfigPath
    ? path.resolve(input.projectRoot, settings.deploymentConfigPath)
    : pathInside(input.projectRoot, "the project", settings.deploymentConfigPath, input.stackConfigFile, jsonPath(["config", "llmops:deploymentConfigPath"]), "a deployment config file");
  const configFile = displayPath(input.projectRoot, configAbsolute);
  const chosenBy = input.deploymentConfigPath ? "--config" : input.stackConfigFile;
  const loaded = loadDeploymentConfig(configAbsolute, configFile, chosenBy);
  const { content } = loaded;
  const env = settings.environment;

  const managed = findEntry(loaded, "azure_managed_endpoint", content.azure_managed_endpoint, env);
  const webApp = findEntry(loaded, "webapp_endpoint", content.webapp_endpoint, env);
  const kubernetes = findEntry(loaded, "kubernetes_endpoint", content.kubernetes_endpoint, env);
  const notices: string[] = loaded.placeholders.filter((p) => p.env === env).map((p) => `${configFile}: ${placeholderNotice(p)}`);
  const [testBase, testBaseWords] =
    settings.useCase !== undefined ? [path.resolve(input.projectRoot, settings.useCase), `the use-case folder ${settings.useCase}`] : [input.projectRoot, "the project root"];
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

  const registry = chooseRegistry(settings, webApp, configFile, input.stackConfigFile);
  const azure = buildAzureTarget(settings, registry);
  const experiment = experimentOutlineOf(input, settings);
  const useCaseEnvironment = useCaseEnvironmentOf(input, settings, notices);
  const { flow, image } = buildFlowAndImage(input, settings, experiment, {
    baseImage: baseImageOf(endpointEntries, configFile),
    first: endpointEntries[0]?.entry,
  }, notices);

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
  const endpointContext = { testFile: { base: testBase, words: testBaseWords }, useCaseEnvironment };
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
      testFilePath: resolveTestFile(testBase, testBaseWords, configFile, base, webApp.entry.TEST_FILE_PATH),
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
