/**
 * Secrets must never be written where people read: records.jsonl, results.csv, report.html, logs. Servers echo
 * requests in their error bodies (the `Authorization` header, a `?code=` in the URL, the `api-key`), so every
 * error and response excerpt that is recorded goes through `redactSecrets` first. The same credential shapes
 * are what the config loaders refuse as literal values (src/config/secretGuard.ts): one list, two uses.
 */

export const redactedMark = "[redacted]";

interface CredentialShape {
  /** What the shape is, for errors that must not show the value. */
  description: string;
  /** Group 1 (when present) is kept, the rest of the match is the secret. */
  pattern: RegExp;
}

const value = `[^\\s"'&;,<>{}]+`;

const shapes: readonly CredentialShape[] = [
  { description: "a private key", pattern: /(-----BEGIN [A-Z ]*PRIVATE KEY-----)[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g },
  { description: "an Authorization header value", pattern: /(\b(?:Bearer|Basic|SharedAccessSignature)\s+)[A-Za-z0-9._~+/=%&:-]{8,}/gi },
  {
    description: "a connection string with a key or password",
    pattern: new RegExp(`((?<![A-Za-z0-9])(?:AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd)\\s*=\\s*)${value}`, "gi"),
  },
  {
    description: "a URL with a credential query parameter",
    pattern: new RegExp(
      `([?&](?:code|sig|key|token|api[-_]?key|access[-_]?token|refresh[-_]?token|id[-_]?token|client[-_]?secret|secret|password|subscription[-_]?key)=)${value}`,
      "gi",
    ),
  },
  {
    description: "an API key or secret field",
    pattern: new RegExp(
      `((?<![A-Za-z0-9_-])["']?(?:api[-_]?key|x-api-key|ocp-apim-subscription-key|authorization|client[-_]?secret|access[-_]?token|refresh[-_]?token)["']?\\s*[:=]\\s*["']?)(?!Bearer\\s|Basic\\s|\\[redacted)${value}`,
      "gi",
    ),
  },
  { description: "a URL with a user name and password", pattern: /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^/\s@]+(?=@)/gi },
  { description: "an sk- API key", pattern: /()\bsk-(?:proj-|ant-|svcacct-)?[A-Za-z0-9_-]{16,}/g },
  { description: "a JSON Web Token", pattern: /()\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g },
];

/** The first credential shape found in `text`, described without its value; undefined when there is none. */
export function credentialShapeIn(text: string): string | undefined {
  for (const shape of shapes) {
    shape.pattern.lastIndex = 0;
    const found = shape.pattern.test(text);
    shape.pattern.lastIndex = 0;
    if (found) return shape.description;
  }
  return undefined;
}

// Shorter values are too likely to be ordinary words: replacing them would garble messages without protecting much.
const minimumKnownSecretLength = 6;

/**
 * `text` with every known secret value and every credential-shaped substring replaced by `[redacted]` (the label
 * before it, like `Bearer ` or `?code=`, is kept so the reader still sees what was there).
 */
export function redactSecrets(text: string, knownSecrets: Iterable<string> = []): string {
  let result = text;
  const known = [...new Set(knownSecrets)].filter((secret) => secret.length >= minimumKnownSecretLength).sort((a, b) => b.length - a.length);
  for (const secret of known) result = result.split(secret).join(redactedMark);
  for (const shape of shapes) {
    shape.pattern.lastIndex = 0;
    result = result.replace(shape.pattern, (_whole, label: string | undefined) => `${label ?? ""}${redactedMark}`);
  }
  return result;
}
