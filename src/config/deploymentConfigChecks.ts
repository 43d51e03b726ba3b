import { ConfigError } from "../core/userError";
import { connectionSettingPrefix } from "../llm/connectionOverrides";
import { appServiceSku, knownAppServiceSkus } from "./appServiceSkus";
import { builtInRoles, findRole } from "./builtInRoles";
import type {
  DeploymentConfigFile,
  OnlineEndpointEntry,
  RoleAssignmentConfig,
  WebAppEntry,
} from "./deploymentConfigTypes";
import { describeFound, jsonPath, type PathSegment } from "./jsonPath";
import { looseNumber, looseString } from "./looseValues";
import { refusePlainSecret } from "./secretGuard";
import { resolveTraffic } from "./trafficAllocation";

/**
 * Rules JSON Schema cannot express, checked on every entry (not only the stack's environment) so a mistake in
 * the prod entry shows up while planning dev. Each violation is a ConfigError naming the JSON path.
 */
export function checkDeploymentConfig(config: DeploymentConfigFile, file: string): void {
  const managed = config.azure_managed_endpoint ?? [];
  const kubernetes = config.kubernetes_endpoint ?? [];
  const webApps = config.webapp_endpoint ?? [];

  rejectDuplicates(file, "azure_managed_endpoint", managed.map((e) => e.ENV_NAME), "ENV_NAME", "one entry per environment");
  rejectDuplicates(file, "kubernetes_endpoint", kubernetes.map((e) => e.ENV_NAME), "ENV_NAME", "one entry per environment");
  rejectDuplicates(file, "webapp_endpoint", webApps.map((e) => e.ENV_NAME), "ENV_NAME", "one entry per environment");
  rejectDuplicateEndpointNames(file, managed, kubernetes);
  rejectDuplicates(
    file,
    "webapp_endpoint",
    webApps.map((e) => e.WEB_APP_NAME.toLowerCase()),
    "WEB_APP_NAME",
    "a Web App name unique across environments (Web App names are globally unique)",
  );

  managed.forEach((entry, index) => checkEndpointEntry(entry, file, ["azure_managed_endpoint", index]));
  kubernetes.forEach((entry, index) => checkEndpointEntry(entry, file, ["kubernetes_endpoint", index]));
  webApps.forEach((entry, index) => checkWebAppEntry(entry, file, ["webapp_endpoint", index]));
}

function rejectDuplicates(file: string, list: string, values: string[], key: string, expected: string): void {
  const seen = new Map<string, number>();
  values.forEach((value, index) => {
    const first = seen.get(value);
    if (first !== undefined) {
      throw new ConfigError(file, jsonPath([list, index, key]), expected, `${JSON.stringify(value)} again (also at ${list}[${first}])`);
    }
    seen.set(value, index);
  });
}

/**
 * Managed and Kubernetes endpoints share one namespace per region: a name may appear once across both lists
 * (the same endpoint declared twice, or as both kinds, would be two stacks fighting over one resource).
 */
function rejectDuplicateEndpointNames(file: string, managed: OnlineEndpointEntry[], kubernetes: OnlineEndpointEntry[]): void {
  const expected = "an endpoint name unique across environments and endpoint kinds (endpoint names are unique per Azure region)";
  const seen = new Map<string, string>();
  const lists: [string, OnlineEndpointEntry[]][] = [
    ["azure_managed_endpoint", managed],
    ["kubernetes_endpoint", kubernetes],
  ];
  for (const [list, entries] of lists) {
    entries.forEach((entry, index) => {
      const name = entry.ENDPOINT_NAME.toLowerCase();
      const first = seen.get(name);
      if (first !== undefined) {
        throw new ConfigError(file, jsonPath([list, index, "ENDPOINT_NAME"]), expected, `${JSON.stringify(entry.ENDPOINT_NAME)} again (also at ${first})`);
      }
      seen.set(name, `${list}[${index}]`);
    });
  }
}

/** Rules of managed and Kubernetes entries alike: traffic, pins, scale, probes, secrets, roles. */
function checkEndpointEntry(entry: OnlineEndpointEntry, file: string, base: PathSegment[]): void {
  resolveTraffic(entry, file, base);
  checkEnvironmentVariables(entry.ENVIRONMENT_VARIABLES, file, [...base, "ENVIRONMENT_VARIABLES"], { names: endpointReservedSettings, prefixes: [] });
  const at = (...keys: PathSegment[]): string => jsonPath([...base, ...keys]);
  const hasPrior = looseString(entry.PRIOR_DEPLOYMENT_NAME) !== undefined;
  for (const role of ["PRIOR", "CURRENT"] as const) {
    const version = looseString(entry[`${role}_DEPLOYMENT_MODEL_VERSION`]);
    const image = looseString(entry[`${role}_DEPLOYMENT_IMAGE`]);
    if (role === "PRIOR" && !hasPrior && (version !== undefined || image !== undefined)) {
      throw new ConfigError(
        file,
        at(version !== undefined ? "PRIOR_DEPLOYMENT_MODEL_VERSION" : "PRIOR_DEPLOYMENT_IMAGE"),
        "no prior pin without a PRIOR_DEPLOYMENT_NAME",
        JSON.stringify(version ?? image),
      );
    }
    if (image !== undefined && version === undefined) {
      throw new ConfigError(
        file,
        at(`${role}_DEPLOYMENT_MODEL_VERSION`),
        `the model version that goes with ${role}_DEPLOYMENT_IMAGE (a pin needs both, or the model version alone)`,
        "nothing",
      );
    }
  }

  const count = looseNumber(entry.DEPLOYMENT_INSTANCE_COUNT) ?? 1;
  if (entry.AUTOSCALE) {
    const min = looseNumber(entry.AUTOSCALE.MIN_INSTANCES) ?? 1;
    const max = looseNumber(entry.AUTOSCALE.MAX_INSTANCES) ?? 1;
    if (max < min) {
      throw new ConfigError(file, at("AUTOSCALE", "MAX_INSTANCES"), `at least MIN_INSTANCES (${min})`, String(max));
    }
    if (count < min || count > max) {
      throw new ConfigError(
        file,
        at("DEPLOYMENT_INSTANCE_COUNT"),
        `an instance count between AUTOSCALE.MIN_INSTANCES (${min}) and MAX_INSTANCES (${max})`,
        String(count),
      );
    }
  }
  const livenessSuccess = looseNumber(entry.LIVENESS_PROBE?.SUCCESS_THRESHOLD);
  if (livenessSuccess !== undefined && livenessSuccess !== 1) {
    throw new ConfigError(file, at("LIVENESS_PROBE", "SUCCESS_THRESHOLD"), "1 (liveness probes allow no other value)", String(livenessSuccess));
  }
  checkRoleAssignments(entry.ROLE_ASSIGNMENTS, file, [...base, "ROLE_ASSIGNMENTS"]);
}

function checkWebAppEntry(entry: WebAppEntry, file: string, base: PathSegment[]): void {
  const at = (...keys: PathSegment[]): string => jsonPath([...base, ...keys]);
  const sku = looseString(entry.WEB_APP_SKU);
  if (sku !== undefined && appServiceSku(sku) === undefined) {
    throw new ConfigError(file, at("WEB_APP_SKU"), `a Linux App Service plan SKU: ${knownAppServiceSkus().join(", ")}`, JSON.stringify(sku));
  }
  const settings = new Map<string, number>();
  (entry.CONNECTION_NAMES ?? []).forEach((name, index) => {
    const setting = connectionSettingName(name);
    const first = settings.get(setting);
    if (first !== undefined) {
      throw new ConfigError(
        file,
        at("CONNECTION_NAMES", index),
        `connection names that give distinct app settings (both give ${setting})`,
        JSON.stringify(name),
      );
    }
    settings.set(setting, index);
  });
  const prefixes = [...settings.keys()].map((setting) => setting.replace(/API_KEY$/, ""));
  checkEnvironmentVariables(entry.ENVIRONMENT_VARIABLES, file, [...base, "ENVIRONMENT_VARIABLES"], { names: webAppReservedSettings, prefixes });
  checkRoleAssignments(entry.ROLE_ASSIGNMENTS, file, [...base, "ROLE_ASSIGNMENTS"]);
}

/** `<NAME>_API_KEY`: the app setting a connection's key is read from, as the template names it. */
export function connectionSettingName(connection: string): string {
  return `${connectionSettingPrefix(connection)}_API_KEY`;
}

/** Lower-kebab `<name>-api-key`: the Key Vault secret holding a connection's key (vault names allow [0-9a-zA-Z-]). */
export function connectionSecretName(connection: string): string {
  const kebab = connection.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return `${kebab}-api-key`;
}

/** Settings the plan writes itself on every endpoint deployment; an ENVIRONMENT_VARIABLES entry may not replace them. */
const endpointReservedSettings: Record<string, string> = {
  PRT_CONFIG_OVERRIDE: "the plan sets it so the flow finds its workspace connections",
};

/** App settings the plan writes itself on every Web App. */
const webAppReservedSettings: Record<string, string> = {
  WEBSITES_PORT: "the plan sets it to the serving port",
  AZURE_CLIENT_ID: "the plan sets it to the Web App's user-assigned identity",
  LLMOPS_CONNECTIONS: "the plan sets it from CONNECTION_NAMES",
};

// Keys JavaScript objects treat specially: as a setting name they would be dropped or change the object's prototype.
const objectKeys = new Set(["__proto__", "constructor", "prototype"]);

interface ReservedNames {
  names: Record<string, string>;
  /** `<PREFIX>_`: every setting of a connection the plan writes (AOAI_API_BASE, AOAI_API_KEY, ...). */
  prefixes: string[];
}

function checkEnvironmentVariables(
  variables: Record<string, string> | undefined,
  file: string,
  base: PathSegment[],
  reserved: ReservedNames,
): void {
  for (const [name, value] of Object.entries(variables ?? {})) {
    const at = jsonPath([...base, name]);
    if (objectKeys.has(name)) {
      throw new ConfigError(file, at, "an environment variable name (not a JavaScript object key)", `the key "${name}"`);
    }
    if (name === "PROMPTFLOW_RUN_MODE") {
      if (value !== "serving") throw new ConfigError(file, at, '"serving" (deployed flows always serve)', JSON.stringify(value));
      continue;
    }
    const setBy = reserved.names[name] ?? reservedPrefixReason(name, reserved.prefixes);
    if (setBy !== undefined) {
      throw new ConfigError(file, at, `no setting the plan writes itself (${setBy})`, `the key "${name}"`);
    }
    // The value is deliberately not echoed: it may be a real secret.
    refusePlainSecret(file, at, name, value);
  }
}

function reservedPrefixReason(name: string, prefixes: readonly string[]): string | undefined {
  const prefix = prefixes.find((candidate) => name.toUpperCase().startsWith(candidate));
  return prefix === undefined ? undefined : `the plan writes ${prefix}* from CONNECTION_NAMES`;
}

const resourceIdShape =
  /^\/subscriptions\/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\/resourceGroups\/[-\w._()]{0,89}[-\w()]\/providers\/[A-Za-z][A-Za-z0-9]*\.[A-Za-z][A-Za-z0-9.]*(\/[A-Za-z][A-Za-z0-9]*\/[^/\s]+)+$/;

/**
 * A scope that is an ARM ID must be one resource's ID: `..` or `.` segments would make ARM (or a proxy in front
 * of it) resolve another scope than the one reviewed, and a resource group ending in "." does not exist.
 */
function checkScope(scope: string, file: string, at: string): void {
  if (!scope.startsWith("/")) return;
  const segments = scope.split("/").slice(1);
  if (segments.some((segment) => segment === "." || segment === "..") || !resourceIdShape.test(scope)) {
    throw new ConfigError(
      file,
      at,
      "a resource ID /subscriptions/<guid>/resourceGroups/<rg>/providers/<Namespace>/<type>/<name>[/<type>/<name>...] without . or .. segments",
      describeFound(scope),
    );
  }
}

function checkRoleAssignments(list: RoleAssignmentConfig[] | undefined, file: string, base: PathSegment[]): void {
  (list ?? []).forEach((assignment, index) => {
    checkScope(assignment.SCOPE, file, jsonPath([...base, index, "SCOPE"]));
    if (findRole(assignment.ROLE) === undefined) {
      throw new ConfigError(
        file,
        jsonPath([...base, index, "ROLE"]),
        `a role definition GUID or a built-in role name: ${builtInRoles.map((r) => r.name).join(", ")}`,
        JSON.stringify(assignment.ROLE),
      );
    }
  });
}
