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
import { jsonPath, type PathSegment } from "./jsonPath";
import { looseNumber, looseString } from "./looseValues";
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
  checkEnvironmentVariables(entry.ENVIRONMENT_VARIABLES, file, [...base, "ENVIRONMENT_VARIABLES"]);
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
  checkEnvironmentVariables(entry.ENVIRONMENT_VARIABLES, file, [...base, "ENVIRONMENT_VARIABLES"]);
  for (const name of Object.keys(entry.ENVIRONMENT_VARIABLES ?? {})) {
    if (settings.has(name)) {
      throw new ConfigError(file, at("ENVIRONMENT_VARIABLES", name), "no app setting that CONNECTION_NAMES already sets", `the key "${name}"`);
    }
  }
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

// Names that hold credentials by convention. Their values must never sit in a config file in plain text.
const secretName = /(^|_)(API_?KEY|ACCESS_?KEY|SECRET|CLIENT_SECRET|PASSWORD|PASSWD|TOKEN|CONNECTION_STRING|SAS)$/i;

/** Whether a setting's name says it holds a credential (its value must be a reference, never a literal). */
export function isSecretLookingName(name: string): boolean {
  return secretName.test(name);
}
const allowedSecretValue = /^(|@Microsoft\.KeyVault\(.*\)|\$\{[^}]+\})$/;

function checkEnvironmentVariables(variables: Record<string, string> | undefined, file: string, base: PathSegment[]): void {
  for (const [name, value] of Object.entries(variables ?? {})) {
    if (secretName.test(name) && !allowedSecretValue.test(value)) {
      // The value is deliberately not echoed: it may be a real secret.
      throw new ConfigError(
        file,
        jsonPath([...base, name]),
        "no secret in plain text: keep it in Key Vault and use a connection (CONNECTION_NAMES for Web Apps, " +
          "a workspace connection for endpoints) or a @Microsoft.KeyVault(...) reference",
        "a literal value (not shown)",
      );
    }
    if (name === "PROMPTFLOW_RUN_MODE" && value !== "serving") {
      throw new ConfigError(file, jsonPath([...base, name]), '"serving" (deployed flows always serve)', JSON.stringify(value));
    }
  }
}

function checkRoleAssignments(list: RoleAssignmentConfig[] | undefined, file: string, base: PathSegment[]): void {
  (list ?? []).forEach((assignment, index) => {
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
