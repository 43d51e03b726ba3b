import { armBaseUrlFromEnvironment, armTokenScope, azureTokenSource } from "../azure/arm/armToken";
import { ArmClient } from "../azure/arm/armClient";
import { downloadDataAsset, storageTokenScope } from "../azure/dataAssets";
import type { WorkspaceReference } from "../azure/workspaceConnections";
import { readExperimentOutline } from "../config/experiment";
import { UserError } from "../core/userError";

/** `LLMOPS_BLOB_ENDPOINT`: storage accounts reached path-style at this URL (Azurite, sovereign or private endpoints). */
export const blobEndpointVariable = "LLMOPS_BLOB_ENDPOINT";

/**
 * The workspace `azureml:` datasets are read from: the stack's, else the template's variables (SUBSCRIPTION_ID or
 * ARM_SUBSCRIPTION_ID, RESOURCE_GROUP_NAME, WORKSPACE_NAME).
 */
function workspaceFrom(env: NodeJS.ProcessEnv, stackWorkspace: WorkspaceReference | undefined, needed: string): WorkspaceReference {
  if (stackWorkspace !== undefined) return stackWorkspace;
  const subscriptionId = env.SUBSCRIPTION_ID?.trim() || env.ARM_SUBSCRIPTION_ID?.trim();
  const resourceGroupName = env.RESOURCE_GROUP_NAME?.trim();
  const workspaceName = env.WORKSPACE_NAME?.trim();
  if (!subscriptionId || !resourceGroupName || !workspaceName) {
    throw new UserError(`${needed} is a registered data asset: pass --stack <name>, or set SUBSCRIPTION_ID, RESOURCE_GROUP_NAME and WORKSPACE_NAME to the workspace holding it`);
  }
  return { subscriptionId, resourceGroupName, workspaceName };
}

/**
 * Downloads the experiment's `azureml:<name>:<version>` datasets into their cache beside the experiment before a
 * run reads them, with the Entra ID credential of the environment (ARM_* service principal or DefaultAzureCredential).
 */
export async function downloadExperimentDataAssets(
  experimentFile: string,
  experimentEnv: string | undefined,
  env: NodeJS.ProcessEnv,
  stackWorkspace: WorkspaceReference | undefined,
  note: (message: string) => void,
): Promise<void> {
  const assets = readExperimentOutline(experimentFile, experimentEnv).datasets.flatMap((d) => (d.asset !== undefined ? [d.asset] : []));
  if (assets.length === 0) return;
  const workspace = workspaceFrom(env, stackWorkspace, `azureml:${assets[0].name}:${assets[0].version}`);
  const baseUrl = armBaseUrlFromEnvironment(env);
  const blobEndpoint = env[blobEndpointVariable]?.trim();
  const downloader = {
    arm: new ArmClient({ baseUrl, getToken: azureTokenSource(armTokenScope(baseUrl), env) }),
    storageToken: azureTokenSource(storageTokenScope, env),
    ...(blobEndpoint ? { blobEndpoint } : {}),
  };
  for (const asset of assets) {
    const downloaded = await downloadDataAsset(asset, workspace, asset.cachePath, downloader);
    note(`azureml:${asset.name}:${asset.version} ${downloaded ? "downloaded from" : "cached, from"} workspace ${workspace.workspaceName}`);
  }
}
