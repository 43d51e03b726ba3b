import type { WebAppPlan } from "../plan/types";

/** App Service resolves this at run time with the identity named by `keyVaultReferenceIdentity`. */
export function keyVaultReference(vaultName: string, secretName: string): string {
  return `@Microsoft.KeyVault(SecretUri=https://${vaultName}.vault.azure.net/secrets/${secretName})`;
}

/**
 * App settings of the flow's Web App, sorted by name so the list never shows a spurious diff. Connection secrets
 * are Key Vault references only: the plan holds secret names, never values.
 */
export function webAppSettings(webApp: WebAppPlan, vaultName: string): { name: string; value: string }[] {
  const settings: Record<string, string> = {
    ...webApp.appSettings,
    WEBSITES_PORT: "8080",
    PROMPTFLOW_RUN_MODE: "serving",
  };
  for (const secret of webApp.connectionSecrets) {
    settings[secret.settingName] = keyVaultReference(vaultName, secret.keyVaultSecretName);
  }
  return Object.keys(settings)
    .sort()
    .map((name) => ({ name, value: settings[name] }));
}
