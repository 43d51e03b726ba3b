import type { WebAppPlan } from "../plan/types";

/** App Service resolves this at run time with the identity named by `keyVaultReferenceIdentity`. */
export function keyVaultReference(vaultName: string, secretName: string): string {
  return `@Microsoft.KeyVault(SecretUri=https://${vaultName}.vault.azure.net/secrets/${secretName})`;
}

/**
 * App settings of the flow's Web App, sorted by name so the list never shows a spurious diff. Connection secrets
 * are Key Vault references only: the plan holds secret names, never values.
 *
 * `identityClientId` (the app's user-assigned identity) becomes AZURE_CLIENT_ID: an app with only a user-assigned
 * identity gets no managed-identity token unless the caller names the identity, and azure-identity's credentials
 * (Entra ID connections, `auth_mode: meid_token`) read that name from AZURE_CLIENT_ID.
 */
export function webAppSettings<ClientId = string>(
  webApp: WebAppPlan,
  vaultName: string,
  identityClientId?: ClientId,
): { name: string; value: string | ClientId }[] {
  const settings: Record<string, string | ClientId> = {
    ...webApp.appSettings,
    WEBSITES_PORT: "8080",
    PROMPTFLOW_RUN_MODE: "serving",
  };
  if (identityClientId !== undefined) settings.AZURE_CLIENT_ID = identityClientId;
  for (const secret of webApp.connectionSecrets) {
    settings[secret.settingName] = keyVaultReference(vaultName, secret.keyVaultSecretName);
  }
  return Object.keys(settings)
    .sort()
    .map((name) => ({ name, value: settings[name] }));
}
