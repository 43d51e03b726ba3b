/** Azure ML asset names (models, data): letters, digits, "-", "_", "."; start with a letter or digit; ≤ 255. */
export const assetNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

/** Content-derived asset version and image tag: the first 12 hex characters of a sha256. */
export function versionFromHash(sha256: string): string {
  return sha256.slice(0, 12);
}

/** "support_ticket_classifier" → "support-ticket-classifier" (registry repositories are lowercase). */
export function kebabCase(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
