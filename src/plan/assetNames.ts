import { createHash } from "node:crypto";

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

/**
 * The identity of one build: the flow's content hash AND the generated Dockerfile text (which names the base image
 * and the start command). Model version, environment version and image tag all derive from it, because an Azure ML
 * environment version's image is immutable: a new Dockerfile or base image over an unchanged flow must name a new
 * version rather than re-PUT the old one with another image, which ARM refuses.
 */
export function buildHashOf(contentHash: string, dockerfile: string): string {
  return createHash("sha256").update(`${contentHash}\u0000${dockerfile}`).digest("hex");
}

/** "support_ticket_classifier" → "support-ticket-classifier" (registry repositories are lowercase). */
export function kebabCase(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
