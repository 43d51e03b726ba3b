import { connectionSecretName, connectionSettingName } from "../config/deploymentConfigChecks";
import { jsonPath, type PathSegment } from "../config/jsonPath";
import { refusePlainSecret } from "../config/secretGuard";
import { ConfigError } from "../core/userError";

/**
 * The Web App has no workspace to read prompt flow connections from, so the serving image's start script creates
 * them in the container's local store from app settings (src/plan/dockerfile.ts). This module turns the
 * experiment's connection specs into those settings: non-secret values resolved at plan time, the API key only
 * as a Key Vault reference (`<NAME>_API_KEY`, existing) and only for key-auth connections.
 */

/** `${VAR}` or `${env:VAR}`, as experiment.yaml writes environment references. */
const reference = /\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Connection names the start script accepts: they become YAML scalars and file names unquoted. */
export const webAppConnectionNamePattern = /^[A-Za-z0-9_-]+$/;

/** "aoai" → "AOAI": the app-setting prefix of a connection (the same rule as `<NAME>_API_KEY`). */
export function connectionSettingPrefix(name: string): string {
  return connectionSettingName(name).replace(/_API_KEY$/, "");
}

/** What to do with a `${VAR}` whose variable is unset: fail (a deployment), or show `<VAR>` (a preview that deploys nothing). */
export type UnresolvedVariables = "required" | "placeholder";

export interface WebAppConnectionsInput {
  /** CONNECTION_NAMES of the Web App entry. */
  names: readonly string[];
  /** Where CONNECTION_NAMES sits, for errors. */
  namesFile: string;
  namesPath: readonly PathSegment[];
  /** `connections` of the experiment (overlay applied), raw as written. */
  specs: readonly Record<string, unknown>[];
  /** The experiment file that declares them, for errors. */
  specsFile: string;
  environmentVariables: Record<string, string | undefined>;
  unresolved: UnresolvedVariables;
}

export interface WebAppConnections {
  /** Non-secret app settings: `LLMOPS_CONNECTIONS` and `<NAME>_*`. */
  appSettings: Record<string, string>;
  /** Key-auth connections' `<NAME>_API_KEY` Key Vault references. */
  connectionSecrets: { settingName: string; keyVaultSecretName: string }[];
  /** Variables shown as `<VAR>` because they were unset (placeholder mode only). */
  unresolvedVariables: string[];
}

function fieldValue(spec: Record<string, unknown>, field: string): string | undefined {
  const raw = spec[field];
  if (raw === undefined || raw === null || raw === "") return undefined;
  return typeof raw === "string" || typeof raw === "number" || typeof raw === "boolean" ? String(raw) : undefined;
}

/** Pure: the Web App's connection settings, or a ConfigError naming the unset variable / unsupported connection. */
export function planWebAppConnections(input: WebAppConnectionsInput): WebAppConnections {
  const appSettings: Record<string, string> = {};
  const connectionSecrets: WebAppConnections["connectionSecrets"] = [];
  const unresolved = new Set<string>();
  if (input.names.length === 0) return { appSettings, connectionSecrets, unresolvedVariables: [] };

  input.names.forEach((name, nameIndex) => {
    const at = jsonPath([...input.namesPath, nameIndex]);
    if (!webAppConnectionNamePattern.test(name)) {
      throw new ConfigError(input.namesFile, at, "a connection name of letters, digits, _ or - (the Web App creates it at start)", JSON.stringify(name));
    }
    const specIndex = input.specs.findIndex((spec) => spec.name === name);
    const spec = input.specs[specIndex];
    if (spec === undefined) {
      throw new ConfigError(input.namesFile, at, `a connection declared under "connections" in ${input.specsFile}`, JSON.stringify(name));
    }
    const specPath = (field: string): string => jsonPath(["connections", specIndex, field]);
    const resolve = (field: string): string | undefined => {
      const value = fieldValue(spec, field);
      if (value === undefined) return undefined;
      const resolved = value.replace(reference, (_whole, variable: string) => {
        const found = input.environmentVariables[variable];
        if (found !== undefined && found !== "") return found;
        if (input.unresolved === "placeholder") {
          unresolved.add(variable);
          return `<${variable}>`;
        }
        throw new ConfigError(
          input.specsFile,
          specPath(field),
          `environment variable ${variable} set when planning (the Web App's ${connectionSettingPrefix(name)}_* settings are resolved then)`,
          `${variable} not set`,
        );
      });
      // The resolved value becomes a plain-text app setting: a credential in it (user:password@, ?api-key=) is refused.
      refusePlainSecret(
        input.specsFile,
        specPath(field),
        field,
        resolved,
        "a value without credentials once its ${VAR} references are resolved (it becomes a plain-text app setting; the key goes through Key Vault)",
      );
      return resolved;
    };
    const prefix = connectionSettingPrefix(name);
    const type = String(spec.connection_type ?? spec.type ?? "");
    const set = (suffix: string, value: string | undefined): void => {
      if (value !== undefined) appSettings[`${prefix}_${suffix}`] = value;
    };
    const keySecret = { settingName: connectionSettingName(name), keyVaultSecretName: connectionSecretName(name) };
    if (type === "AzureOpenAIConnection" || type === "azure_open_ai") {
      const authMode = resolve("auth_mode") ?? "key";
      set("CONNECTION_TYPE", "azure_open_ai");
      set("API_BASE", resolve("api_base"));
      set("API_VERSION", resolve("api_version"));
      set("API_TYPE", resolve("api_type") ?? "azure");
      set("AUTH_MODE", authMode);
      if (appSettings[`${prefix}_API_BASE`] === undefined) {
        throw new ConfigError(input.specsFile, specPath("api_base"), "the Azure OpenAI endpoint (the Web App needs it)", "nothing");
      }
      if (authMode !== "meid_token") connectionSecrets.push(keySecret);
    } else if (type === "OpenAIConnection" || type === "open_ai") {
      set("CONNECTION_TYPE", "open_ai");
      set("BASE_URL", resolve("base_url"));
      set("ORGANIZATION", resolve("organization"));
      // A keyless OpenAI-compatible server (Ollama, vLLM) declares no api_key: the app gets no key setting.
      if (fieldValue(spec, "api_key") !== undefined) connectionSecrets.push(keySecret);
    } else {
      throw new ConfigError(
        input.specsFile,
        specPath("connection_type"),
        "AzureOpenAIConnection or OpenAIConnection for a connection the Web App uses (custom connections are not supported for the Web App yet)",
        JSON.stringify(type),
      );
    }
  });
  appSettings.LLMOPS_CONNECTIONS = input.names.join(",");
  return { appSettings, connectionSecrets, unresolvedVariables: [...unresolved].sort() };
}
