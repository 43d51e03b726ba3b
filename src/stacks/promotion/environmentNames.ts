import type { SectionDiff, ValueChange } from "./types";

/** A name that differs per environment by design, e.g. `rg-llmops-dev` → `rg-llmops-prod`. */
export interface Rename {
  from: string;
  to: string;
}

/** deployment_config.json keys that name Azure resources (not A/B deployment names: those are identities). */
const deploymentConfigNameKeys = new Set([
  "ENDPOINT_NAME",
  "WEB_APP_NAME",
  "WEB_APP_RG_NAME",
  "APP_PLAN_NAME",
  "USER_MANAGED_ID",
  "REGISTRY_NAME",
  "REGISTRY_RG_NAME",
  "COMPUTE_NAME",
]);

/** Stack config leaves that name where a stack lives (resource names, groups, location, subscription). */
function isStackConfigNameKey(path: string): boolean {
  const leaf = path.split(/[.:]/).pop() ?? path;
  return /name$/i.test(leaf) || ["location", "environment", "subscriptionId", "tenantId"].includes(leaf);
}

function renameOf(change: ValueChange): Rename | undefined {
  const { from, to } = change;
  if (typeof from !== "string" || typeof to !== "string" || from === to) return undefined;
  if (!/[A-Za-z]/.test(from) || !/[A-Za-z]/.test(to)) return undefined;
  return { from, to };
}

/**
 * The names that differ between two stacks because they are different environments: the stack and
 * environment names, the resource names of the stack config, and the resource names of the two
 * deployment_config.json entries. A resource input that differs only by these is expected, not a change of
 * what is deployed.
 */
export function environmentRenames(input: {
  stacks: Rename;
  environments: Rename;
  stackConfig: ValueChange[];
  deploymentConfig: SectionDiff[];
}): Rename[] {
  const candidates: (Rename | undefined)[] = [
    renameOf({ path: "stack", from: input.stacks.from, to: input.stacks.to }),
    renameOf({ path: "environment", from: input.environments.from, to: input.environments.to }),
    ...input.stackConfig.filter((change) => isStackConfigNameKey(change.path)).map(renameOf),
    ...input.deploymentConfig.flatMap((section) => section.changes.filter((change) => deploymentConfigNameKeys.has(change.path)).map(renameOf)),
  ];
  const unique = new Map<string, Rename>();
  for (const rename of candidates) if (rename && !unique.has(rename.from)) unique.set(rename.from, rename);
  // Longest first, so `rg-llmops-dev` is renamed as a whole before `dev` is.
  return [...unique.values()].sort((a, b) => b.from.length - a.from.length);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Applies every rename where it stands as a whole token (not inside a longer word: `dev` never hits `device`). */
export function applyRenames(text: string, renames: Rename[]): string {
  if (renames.length === 0) return text;
  const lookup = new Map(renames.map((rename) => [rename.from, rename.to]));
  const pattern = new RegExp(`(?<![A-Za-z0-9])(?:${renames.map((rename) => escapeRegExp(rename.from)).join("|")})(?![A-Za-z0-9])`, "g");
  return text.replace(pattern, (match) => lookup.get(match) ?? match);
}

const guidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * True when a differing value is the source value with per-environment names swapped in and, where GUIDs
 * stand, other GUIDs: principal IDs, role assignment names and similar IDs are generated per stack.
 * Image digests and versions are never treated this way: a different digest is a different build.
 */
export function isRenameOnly(change: ValueChange, renames: Rename[]): boolean {
  if (change.from === undefined || change.to === undefined) return false;
  const from = typeof change.from === "string" ? change.from : JSON.stringify(change.from);
  const to = typeof change.to === "string" ? change.to : JSON.stringify(change.to);
  if (from === to) return false;
  const generic = (text: string): string => text.replace(guidPattern, "<guid>");
  return generic(applyRenames(from, renames)) === generic(to);
}
