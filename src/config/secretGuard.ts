import { plainSecretReason } from "../core/plainSecrets";
import { ConfigError } from "../core/userError";
import { isRecord } from "../core/values";
import { jsonPath, type PathSegment } from "./jsonPath";

/**
 * No secret in a config file or in a setting the plan writes into Azure: a value under a secret-looking name, or a
 * value shaped like a credential under any name, must be exactly a Key Vault reference or a `${VAR}` reference.
 * Applies to ENVIRONMENT_VARIABLES, Web App app settings, connection specs and tags. Errors never show the value.
 */

const howToKeepSecrets =
  "no secret in plain text: keep it in Key Vault and use a connection (CONNECTION_NAMES for Web Apps, a workspace connection for endpoints), " +
  "an exact @Microsoft.KeyVault(SecretUri=https://<vault>.vault.azure.net/secrets/<name>) reference or a ${VAR} reference";

/** Throws a ConfigError at `jsonPath` of `file` when `value` is a plain secret; the value is never part of it. */
export function refusePlainSecret(file: string, at: string, name: string, value: string, expected = howToKeepSecrets): void {
  const reason = plainSecretReason(name, value);
  if (reason !== undefined) throw new ConfigError(file, at, expected, reason);
}

function securePath(value: unknown, at: PathSegment[]): PathSegment[] | undefined {
  if (isRecord(value) && Object.keys(value).length === 1 && "secure" in value) return at;
  const entries: [PathSegment, unknown][] = Array.isArray(value) ? value.map((item, index) => [index, item]) : isRecord(value) ? Object.entries(value) : [];
  for (const [key, item] of entries) {
    const found = securePath(item, [...at, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * No `llmops:` setting is a secret, and every value the stack reads ends up in plain text somewhere (a tag, a
 * name, a path). An encrypted `secure:` value under `llmops:` is therefore refused by every reader of
 * Pulumi.<stack>.yaml, the same way, instead of being masked by one and refused by another.
 */
export function refuseEncryptedStackValues(document: unknown, file: string): void {
  if (!isRecord(document) || !isRecord(document.config)) return;
  for (const [key, value] of Object.entries(document.config)) {
    if (!key.startsWith("llmops:")) continue;
    const at = securePath(value, ["config", key]);
    if (at !== undefined) {
      throw new ConfigError(
        file,
        jsonPath(at),
        "a plain value (no llmops setting is a secret: tags, names and paths end up readable in Azure; keep secrets in Key Vault)",
        "an encrypted secure: value",
      );
    }
  }
}
