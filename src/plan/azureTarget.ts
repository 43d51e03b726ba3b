import type { ExistingResourceSettings, StackSettings } from "../config/stackSettings";
import type { AzureTarget, ExistingResource, RegistryLogin } from "./types";

export function resourceId(subscriptionId: string, resourceGroupName: string, providerType: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/${providerType}/${name}`;
}

function existing(subscriptionId: string, settings: ExistingResourceSettings, providerType: string): ExistingResource {
  return {
    name: settings.name,
    resourceGroupName: settings.resourceGroupName,
    id: resourceId(subscriptionId, settings.resourceGroupName, providerType, settings.name),
  };
}

/** The existing resources the stack uses, with their ARM IDs. `registry` is already resolved (stack or Web App entry). */
export function buildAzureTarget(settings: StackSettings, registry: ExistingResourceSettings & { login?: RegistryLogin }): AzureTarget {
  const sub = settings.subscriptionId;
  const keyVault: AzureTarget["keyVault"] = {
    ...existing(sub, settings.keyVault, "Microsoft.KeyVault/vaults"),
    authorization: settings.keyVault.authorization,
  };
  if (settings.keyVault.tenantId !== undefined) keyVault.tenantId = settings.keyVault.tenantId;
  const target: AzureTarget = {
    subscriptionId: sub,
    location: settings.location,
    resourceGroupName: settings.resourceGroupName,
    workspace: existing(
      sub,
      { name: settings.workspaceName, resourceGroupName: settings.resourceGroupName },
      "Microsoft.MachineLearningServices/workspaces",
    ),
    keyVault,
    containerRegistry: {
      ...existing(sub, registry, "Microsoft.ContainerRegistry/registries"),
      loginServer: `${registry.name.toLowerCase()}.azurecr.io`,
      login: registry.login ?? "entra",
    },
  };
  if (settings.openAi) target.openAi = existing(sub, settings.openAi, "Microsoft.CognitiveServices/accounts");
  return target;
}
