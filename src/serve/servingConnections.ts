/**
 * Where a served flow's connections come from, decided by where it runs (the environment is handed in; this module
 * never reads process.env):
 * - an Azure ML deployment (PRT_CONFIG_OVERRIDE or AML_DEPLOYMENT_RESOURCE_ID names the workspace): the workspace's
 *   connections, read through ARM with the deployment's managed identity;
 * - the Web App (LLMOPS_CONNECTIONS set): app settings `<NAME>_CONNECTION_TYPE`, `<NAME>_API_BASE`, ... whose key
 *   is a Key Vault reference App Service resolves before the process starts;
 * - anywhere else: the `--connections` file (an experiment.yaml works).
 * On top, prompt flow's serving overrides: an environment variable named like the connection (spaces as `_`)
 * holding JSON replaces it, holding a name reads that other connection instead; `<NAME>_<FIELD>` variables
 * override single fields (`AOAI_API_BASE`, `AOAI_API_KEY`, ...).
 */
import { connectionFromWorkspace, type WorkspaceReference } from "../azure/workspaceConnections";
import { UserError } from "../core/userError";
import { resolveConnections, type Environment } from "../llm/connections";
import type { Connection } from "../llm/types";
import { connectionSettingPrefix, withFieldOverrides } from "../llm/connectionOverrides";

export type ServingHost =
  | { kind: "azureml"; workspace: WorkspaceReference; deploymentId?: string }
  | { kind: "appSettings" }
  | { kind: "local" };

const deploymentIdPattern =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.MachineLearningServices\/workspaces\/([^/]+)\/onlineEndpoints\/([^/]+)\/deployments\/([^/]+)$/i;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** Pure: where the process runs, from the variables Azure ML, the plan and App Service set. */
export function servingHostOf(env: Environment): ServingHost {
  const override = nonEmpty(env.PRT_CONFIG_OVERRIDE);
  if (override !== undefined) {
    const settings = Object.fromEntries(
      override.split(",").flatMap((pair) => {
        const equals = pair.indexOf("=");
        return equals < 0 ? [] : [[pair.slice(0, equals).trim(), pair.slice(equals + 1).trim()]];
      }),
    );
    const subscriptionId = settings["deployment.subscription_id"];
    const resourceGroupName = settings["deployment.resource_group"];
    const workspaceName = settings["deployment.workspace_name"];
    if (!subscriptionId || !resourceGroupName || !workspaceName) {
      throw new UserError("PRT_CONFIG_OVERRIDE: expected deployment.subscription_id, deployment.resource_group and deployment.workspace_name");
    }
    const endpoint = settings["deployment.endpoint_name"];
    const deployment = settings["deployment.deployment_name"];
    const workspace = { subscriptionId, resourceGroupName, workspaceName };
    return endpoint && deployment
      ? { kind: "azureml", workspace, deploymentId: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/${workspaceName}/onlineEndpoints/${endpoint}/deployments/${deployment}` }
      : { kind: "azureml", workspace };
  }
  const deploymentId = nonEmpty(env.AML_DEPLOYMENT_RESOURCE_ID);
  if (deploymentId !== undefined) {
    const match = deploymentIdPattern.exec(deploymentId);
    if (!match) throw new UserError(`AML_DEPLOYMENT_RESOURCE_ID: expected an online deployment's resource ID, found '${deploymentId}'`);
    return { kind: "azureml", workspace: { subscriptionId: match[1], resourceGroupName: match[2], workspaceName: match[3] }, deploymentId };
  }
  if (nonEmpty(env.LLMOPS_CONNECTIONS) !== undefined) return { kind: "appSettings" };
  return { kind: "local" };
}


/** A connection spec that reads every field from `<PREFIX>_*` app settings, secrets as `${VAR}` references. */
function appSettingsSpec(name: string, env: Environment): Record<string, unknown> {
  const prefix = connectionSettingPrefix(name);
  const type = nonEmpty(env[`${prefix}_CONNECTION_TYPE`]);
  if (type === undefined) {
    throw new UserError(`connection ${name} needs app setting ${prefix}_CONNECTION_TYPE (azure_open_ai or open_ai), which is not set`);
  }
  const needsKey = (type === "azure_open_ai" || type === "AzureOpenAIConnection") && nonEmpty(env[`${prefix}_AUTH_MODE`]) !== "meid_token";
  if (needsKey && nonEmpty(env[`${prefix}_API_KEY`]) === undefined) {
    throw new UserError(`connection ${name} needs app setting ${prefix}_API_KEY (a Key Vault reference), which is not set`);
  }
  const spec: Record<string, unknown> = { name, connection_type: type };
  const fields = ["api_base", "api_version", "api_type", "auth_mode", "base_url", "organization", "api_key"];
  for (const field of fields) {
    const variable = `${prefix}_${field.toUpperCase()}`;
    if (nonEmpty(env[variable]) !== undefined) spec[field] = `\${${variable}}`;
  }
  return spec;
}

export interface ServingConnectionsInput {
  /** Connections the flow uses. */
  names: readonly string[];
  host: ServingHost;
  env: Environment;
  /** The workspace reader (Azure ML hosts): names in, connections with secrets out. */
  readWorkspace?: (names: string[]) => Promise<Record<string, Connection>>;
  /** `--connections`, already resolved (local hosts). */
  file?: Record<string, Connection>;
  /** Names the file's errors point to, e.g. "--connections flows/experiment.yaml". */
  fileLabel?: string;
}

/** Every connection the flow uses, or a UserError naming the one missing and where it was looked for. */
export async function resolveServingConnections(input: ServingConnectionsInput): Promise<Record<string, Connection>> {
  const { env } = input;
  const resolved: Record<string, Connection> = {};
  /** original name → the name to read it under (itself unless an environment variable renames it). */
  const toRead = new Map<string, string>();
  for (const name of input.names) {
    const override = env[name.replace(/ /g, "_")];
    if (override === undefined || override === "") {
      toRead.set(name, name);
      continue;
    }
    let data: unknown;
    try {
      data = JSON.parse(override);
    } catch {
      toRead.set(name, override);
      continue;
    }
    const properties = typeof data === "object" && data !== null && "properties" in data ? (data).properties : data;
    resolved[name] = connectionFromWorkspace(name, properties);
  }

  const sourceNames = [...new Set(toRead.values())];
  let source: Record<string, Connection> = {};
  if (sourceNames.length > 0) {
    switch (input.host.kind) {
      case "azureml":
        if (!input.readWorkspace) throw new UserError("serving on Azure ML needs a workspace connection reader");
        source = await input.readWorkspace(sourceNames);
        break;
      case "appSettings":
        source = resolveConnections(sourceNames.map((name) => appSettingsSpec(name, env)), env, "app settings");
        break;
      case "local": {
        const file = input.file ?? {};
        const missing = sourceNames.filter((name) => !(name in file));
        if (missing.length > 0) {
          const where = input.file ? `it is not in ${input.fileLabel ?? "the connections file"}` : "pass --connections <file> (an experiment.yaml works)";
          throw new UserError(`the flow uses connection ${missing.map((name) => `'${name}'`).join(", ")}: ${where}`);
        }
        source = file;
        break;
      }
    }
  }
  for (const [name, readAs] of toRead) {
    const connection = source[readAs];
    if (connection === undefined) throw new UserError(`connection ${readAs} (for ${name}) was not found`);
    resolved[name] = { ...connection, name };
  }
  return Object.fromEntries(Object.entries(resolved).map(([name, connection]) => [name, withFieldOverrides(connection, env)]));
}
