import { appServiceSku, defaultWebAppSku } from "../config/appServiceSkus";
import type { WebAppEntry } from "../config/deploymentConfigTypes";
import { looseString } from "../config/looseValues";
import { envYamlSecretName } from "../config/envYaml";
import type { WebAppPlan } from "./types";
import type { WebAppConnections } from "./webAppConnections";

export interface WebAppPlanInput {
  entry: WebAppEntry;
  /** The stack's resource group, the default for WEB_APP_RG_NAME. */
  resourceGroupName: string;
  testFilePath: string;
  /** The connections' settings (planWebAppConnections): non-secret values and key Key Vault references. */
  connections: WebAppConnections;
  /** The use case's environment/env.yaml: plain values, and secrets by the variable holding them. */
  useCaseEnvironment?: { values: Record<string, string>; secrets: Record<string, string> };
}

export function buildWebAppPlan(input: WebAppPlanInput): WebAppPlan {
  const { entry } = input;
  // The SKU was checked when the config loaded.
  const sku = appServiceSku(looseString(entry.WEB_APP_SKU) ?? defaultWebAppSku) ?? { name: "B1", tier: "Basic" };
  return {
    appServicePlanName: entry.APP_PLAN_NAME,
    webAppName: entry.WEB_APP_NAME,
    resourceGroupName: looseString(entry.WEB_APP_RG_NAME) ?? input.resourceGroupName,
    sku,
    identityName: looseString(entry.USER_MANAGED_ID) ?? `${entry.WEB_APP_NAME}-identity`,
    // env.yaml's secrets are Key Vault references like the connections' keys: the secret named after the variable.
    connectionSecrets: [
      ...input.connections.connectionSecrets,
      ...Object.entries(input.useCaseEnvironment?.secrets ?? {}).map(([settingName, variable]) => ({ settingName, keyVaultSecretName: envYamlSecretName(variable) })),
    ],
    appSettings: {
      ...(entry.ENVIRONMENT_VARIABLES ?? {}),
      ...(input.useCaseEnvironment?.values ?? {}),
      ...input.connections.appSettings,
      WEBSITES_PORT: "8080",
      PROMPTFLOW_RUN_MODE: "serving",
    },
    healthCheckPath: "/health",
    testFilePath: input.testFilePath,
  };
}
