/** Azure ML asset names (models, data): letters, digits, "-", "_", "."; start with a letter or digit; ≤ 255. */
export const assetNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

/**
 * Content-derived asset version and image tag: the first 12 hex characters of a sha256 (48 bits: a collision
 * between two builds of one flow is negligible). Not an integer counter: a counter needs the registry's latest
 * version, which would make planning depend on Azure state; a content version is the same on every machine, so
 * re-running registers nothing new and the same flow always maps to the same version. ARM asset versions are strings.
 */
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
