/**
 * Reads secrets from Azure Key Vault (REST, api-version 7.4) with an Entra ID token for https://vault.azure.net.
 * An Azure ML job uses it to get its connections' API keys with its own managed identity, so no key is ever part
 * of the job definition. Values are returned, never logged; errors name the secret, not its value.
 */
import { fetchJson } from "./http";
import { UserError } from "../core/userError";

export const keyVaultTokenScope = "https://vault.azure.net/.default";
const keyVaultApiVersion = "7.4";

/** `https://<vault>.vault.azure.net`, the data-plane address of a vault in the public cloud. */
export function keyVaultUrl(vaultName: string): string {
  return `https://${vaultName.toLowerCase()}.vault.azure.net`;
}

/** `{ VARIABLE: secret name }` → `{ VARIABLE: secret value }`. */
export async function readKeyVaultSecrets(
  vaultUrl: string,
  secretNames: Record<string, string>,
  getToken: () => Promise<string>,
): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const [variable, secretName] of Object.entries(secretNames)) {
    const url = `${vaultUrl.replace(/\/+$/, "")}/secrets/${encodeURIComponent(secretName)}?api-version=${keyVaultApiVersion}`;
    let body: unknown;
    try {
      ({ body } = await fetchJson({ url, headers: async () => ({ authorization: `Bearer ${await getToken()}` }) }));
    } catch (err) {
      throw new UserError(`Key Vault secret '${secretName}' (for ${variable}) could not be read: ${err instanceof Error ? err.message : String(err)}`);
    }
    const value = typeof body === "object" && body !== null ? (body as Record<string, unknown>).value : undefined;
    if (typeof value !== "string" || value === "") throw new UserError(`Key Vault secret '${secretName}' (for ${variable}) has no value`);
    values[variable] = value;
  }
  return values;
}
