import { credentialShapeIn } from "./redaction";

/**
 * What counts as a secret in plain text, for every reader that refuses one (config files, app settings,
 * connection specs, tags): a credential-shaped value under any name, or any literal under a secret-looking name,
 * unless the value is exactly a Key Vault reference or a `${VAR}` reference.
 */

// Words that name credentials. A name is split into words (snake_case, kebab-case, dots, camelCase); a word that
// is one of these or ends in key/secret/password/token is secret-looking: AOAI_KEY, DB_PWD, PRIVATE_KEY,
// api-key, API_KEY_PRIMARY, storageAccountKey. "KEY_VAULT_NAME" is a vault's name, not a key, and MAX_TOKENS
// counts tokens.
const secretWord = /^(?:.*keys?|.*secret|.*secrets|.*password|.*passwd|pwd|pass|.*token|credentials?|sas|connstr|connectionstring)$/;

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== "");
}

/** Whether a setting, variable or tag name says its value is a credential. */
export function isSecretLookingName(name: string): boolean {
  const parts = words(name);
  return parts.some((word, index) => {
    if (word === "key" && parts[index + 1] === "vault") return false;
    if (word === "connection" && parts[index + 1] === "string") return true;
    return secretWord.test(word);
  });
}

const keyVaultSecretUri = /^@Microsoft\.KeyVault\(SecretUri=https:\/\/[a-z0-9-]{3,24}\.vault\.[a-z0-9.]+\/secrets\/[A-Za-z0-9-]{1,127}(?:\/[0-9a-fA-F]{32})?\/?\)$/;
const keyVaultNamed = /^@Microsoft\.KeyVault\(VaultName=[A-Za-z0-9-]{3,24};SecretName=[A-Za-z0-9-]{1,127}(?:;SecretVersion=[0-9a-fA-F]{32})?\)$/;
const variableReference = /^\$\{(?:env:)?[A-Za-z_][A-Za-z0-9_]*\}$/;

/** Exactly one Key Vault reference (App Service syntax) or one `${VAR}` / `${env:VAR}` reference, nothing around it. */
export function isSecretReference(value: string): boolean {
  return keyVaultSecretUri.test(value) || keyVaultNamed.test(value) || variableReference.test(value);
}

/**
 * Why `value` under `name` would be a secret in plain text, or undefined when it is not one. An empty value is
 * no secret (the template writes "" for unused keys).
 */
export function plainSecretReason(name: string, value: string): string | undefined {
  if (value === "" || isSecretReference(value)) return undefined;
  const shape = credentialShapeIn(value);
  if (shape !== undefined) return `${shape} (not shown)`;
  if (isSecretLookingName(name)) return "a literal value under a secret-looking name (not shown)";
  if (value.startsWith("@Microsoft.KeyVault(")) return "a malformed Key Vault reference (not shown)";
  return undefined;
}

