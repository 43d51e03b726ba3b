/** ARM resource IDs and Azure ML asset URIs, built from names. Pure string functions. */

export interface WorkspaceRef {
  subscriptionId: string;
  resourceGroupName: string;
  workspaceName: string;
}

export function workspaceId(ws: WorkspaceRef): string {
  return `/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/${ws.workspaceName}`;
}

export function modelVersionId(ws: WorkspaceRef, name: string, version: string): string {
  return `${workspaceId(ws)}/models/${name}/versions/${version}`;
}

export function environmentVersionId(ws: WorkspaceRef, name: string, version: string): string {
  return `${workspaceId(ws)}/environments/${name}/versions/${version}`;
}

/** `azureml://` URI of a path on a workspace datastore: what ModelVersion.modelUri and DataVersion.dataUri take. */
export function datastorePathUri(ws: WorkspaceRef, datastoreName: string, path: string): string {
  return `azureml://subscriptions/${ws.subscriptionId}/resourcegroups/${ws.resourceGroupName}/workspaces/${ws.workspaceName}/datastores/${datastoreName}/paths/${path}`;
}

export function storageAccountId(subscriptionId: string, resourceGroupName: string, accountName: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Storage/storageAccounts/${accountName}`;
}

export function roleDefinitionId(subscriptionId: string, roleDefinitionGuid: string): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleDefinitionGuid}`;
}
