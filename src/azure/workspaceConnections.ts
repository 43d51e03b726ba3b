/**
 * A flow's connections from its Azure ML workspace, as prompt flow's serving reads them on a deployment: one
 * `POST .../workspaces/{ws}/connections/{name}/listsecrets` per connection, with the deployment's managed
 * identity (which needs "Azure Machine Learning Workspace Connection Secrets Reader" on the workspace; the plan
 * grants it). Entra ID connections (authType AAD) stay keyless: the model is called with the identity's token.
 */
import { ArmError } from "./arm/armError";
import { isRecord } from "../core/values";
import { UserError } from "../core/userError";
import type { Connection } from "../llm/types";

export const workspaceConnectionsApiVersion = "2025-12-01";

/** Prompt flow's AzureOpenAIConnection default when the workspace connection names no API version. */
const defaultAzureOpenAiApiVersion = "2024-02-01";

/** Metadata keys prompt flow keeps for itself (connection type and module), never custom configs. */
const promptflowMetadataPrefix = "azureml.flow.";

export interface WorkspaceReference {
  subscriptionId: string;
  resourceGroupName: string;
  workspaceName: string;
}

export function workspaceResourceId(workspace: WorkspaceReference): string {
  return (
    `/subscriptions/${encodeURIComponent(workspace.subscriptionId)}/resourceGroups/${encodeURIComponent(workspace.resourceGroupName)}` +
    `/providers/Microsoft.MachineLearningServices/workspaces/${encodeURIComponent(workspace.workspaceName)}`
  );
}

function caseInsensitive(record: Record<string, unknown>, key: string): string | undefined {
  const found = Object.keys(record).find((candidate) => candidate.toLowerCase() === key.toLowerCase());
  const value = found === undefined ? undefined : record[found];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * Pure: a workspace connection's `properties` (as listsecrets returns them) as the engine's Connection. Also reads
 * a connection given as JSON in an environment variable (prompt flow's data override), which has the same shape.
 */
export function connectionFromWorkspace(name: string, properties: unknown): Connection {
  if (!isRecord(properties)) throw new UserError(`workspace connection ${name}: expected its properties (an object), found ${typeof properties}`);
  const category = caseInsensitive(properties, "category") ?? "";
  const authType = (caseInsensitive(properties, "authType") ?? "").toLowerCase();
  const target = caseInsensitive(properties, "target");
  const metadata = isRecord(properties.metadata) ? properties.metadata : {};
  const credentials = isRecord(properties.credentials) ? properties.credentials : {};
  const key = caseInsensitive(credentials, "key");
  const unsupportedAuth = (): never => {
    throw new UserError(`workspace connection ${name} (${category}): auth type '${authType || "none"}' is not supported; use ApiKey${category === "OpenAI" ? "" : " or AAD (Entra ID)"}`);
  };
  switch (category) {
    case "AzureOpenAI":
    case "AIServices": {
      if (target === undefined) throw new UserError(`workspace connection ${name} (${category}) has no target (the Azure OpenAI endpoint)`);
      const apiVersion = caseInsensitive(metadata, "ApiVersion") ?? defaultAzureOpenAiApiVersion;
      if (authType === "aad") return { type: "azure_open_ai", name, apiBase: target, apiVersion, authMode: "meid_token" };
      if (authType !== "apikey") return unsupportedAuth();
      if (key === undefined) throw new UserError(`workspace connection ${name} returned no key: the identity may read the connection but not its secrets`);
      return { type: "azure_open_ai", name, apiBase: target, apiVersion, authMode: "key", apiKey: key };
    }
    case "OpenAI": {
      if (authType !== "apikey") return unsupportedAuth();
      const organization = caseInsensitive(metadata, "organization");
      return { type: "open_ai", name, apiKey: key, ...(target !== undefined ? { baseUrl: target } : {}), ...(organization !== undefined ? { organization } : {}) };
    }
    case "CustomKeys": {
      const configs: Record<string, string> = {};
      for (const [field, value] of Object.entries(metadata)) {
        if (!field.startsWith(promptflowMetadataPrefix) && typeof value === "string") configs[field] = value;
      }
      const secrets: Record<string, string> = {};
      const keys = isRecord(credentials.keys) ? credentials.keys : {};
      for (const [field, value] of Object.entries(keys)) if (typeof value === "string") secrets[field] = value;
      return { type: "custom", name, configs, secrets };
    }
    default:
      throw new UserError(`workspace connection ${name}: category '${category || "none"}' is not one the engine can call (AzureOpenAI, AIServices, OpenAI, CustomKeys)`);
  }
}

/** What this module needs from ARM (ArmClient implements it). */
export interface ArmPoster {
  post(path: string, apiVersion: string, body?: unknown): Promise<unknown>;
}

/** Reads each named connection with its secrets, concurrently; a refusal names the role the identity needs. */
export async function readWorkspaceConnections(arm: ArmPoster, workspace: WorkspaceReference, names: readonly string[]): Promise<Record<string, Connection>> {
  const entries = await Promise.all(
    names.map(async (name): Promise<[string, Connection]> => {
      const path = `${workspaceResourceId(workspace)}/connections/${encodeURIComponent(name)}/listsecrets`;
      let body: unknown;
      try {
        body = await arm.post(path, workspaceConnectionsApiVersion);
      } catch (err) {
        if (err instanceof ArmError && err.status === 404) {
          throw new UserError(`connection ${name} is not in workspace ${workspace.workspaceName}: create it there, or set ${name.replace(/ /g, "_")} to its JSON or to another connection's name`);
        }
        if (err instanceof ArmError && (err.status === 401 || err.status === 403)) {
          throw new UserError(
            `the deployment's identity may not read connection ${name} in workspace ${workspace.workspaceName} (HTTP ${err.status}): ` +
              `grant it "Azure Machine Learning Workspace Connection Secrets Reader" on the workspace`,
          );
        }
        throw err;
      }
      return [name, connectionFromWorkspace(name, isRecord(body) ? body.properties : undefined)];
    }),
  );
  return Object.fromEntries(entries);
}
