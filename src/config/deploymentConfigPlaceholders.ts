/**
 * The template ships deployment_config.json with its names blank ("ENDPOINT_NAME": "", "COMPUTE_NAME": "",
 * "WEB_APP_NAME": ""...): a user fills only the entries they deploy. An entry whose names are ALL blank is such a
 * placeholder: it is not deployed and not validated, and the plan says so in one line. An entry with some names
 * filled and others blank is a half-filled entry: an error naming every blank name the entry needs.
 */
import { isRecord } from "../core/values";
import { ConfigError } from "../core/userError";
import { jsonPath } from "./jsonPath";

export type EntryList = "azure_managed_endpoint" | "kubernetes_endpoint" | "webapp_endpoint";

export const entryLists: readonly EntryList[] = ["azure_managed_endpoint", "kubernetes_endpoint", "webapp_endpoint"];

interface NameKeys {
  /** Names an entry cannot be deployed without. */
  required: readonly string[];
  /** Names with a default when blank ("" = use the stack's registry, the stack's resource group...). */
  optional: readonly string[];
  /** Not names (a placeholder may have them filled), but needed once the names are: blank is half-filled. */
  alsoRequired?: readonly string[];
}

/** The keys of each entry type that name Azure resources: what "blank names" means. */
export const nameKeys: Record<EntryList, NameKeys> = {
  azure_managed_endpoint: { required: ["ENDPOINT_NAME", "CURRENT_DEPLOYMENT_NAME"], optional: ["PRIOR_DEPLOYMENT_NAME"] },
  // DEPLOYMENT_VM_SIZE is an instance type, not a name: math_coding ships it filled in its placeholder.
  kubernetes_endpoint: {
    required: ["ENDPOINT_NAME", "CURRENT_DEPLOYMENT_NAME", "COMPUTE_NAME"],
    optional: ["PRIOR_DEPLOYMENT_NAME"],
    alsoRequired: ["DEPLOYMENT_VM_SIZE"],
  },
  webapp_endpoint: {
    required: ["APP_PLAN_NAME", "WEB_APP_NAME"],
    optional: ["REGISTRY_NAME", "REGISTRY_RG_NAME", "WEB_APP_RG_NAME", "USER_MANAGED_ID", "CONNECTION_NAMES"],
  },
};

/** An entry left as the template ships it. */
export interface PlaceholderEntry {
  list: EntryList;
  index: number;
  /** ENV_NAME as written (may itself be ""). */
  env: string;
}

/** Absent, "", whitespace, or a list of such (CONNECTION_NAMES: [""]). */
function isBlank(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === "string") return value.trim() === "";
  if (Array.isArray(value)) return value.every(isBlank);
  return false;
}

/**
 * Finds the placeholder entries of a parsed deployment_config.json and refuses half-filled ones. Entries that are
 * not objects are left to the schema.
 */
export function findPlaceholders(document: unknown, file: string): PlaceholderEntry[] {
  if (!isRecord(document)) return [];
  const placeholders: PlaceholderEntry[] = [];
  for (const list of entryLists) {
    const entries = document[list];
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry: unknown, index) => {
      if (!isRecord(entry)) return;
      const keys = nameKeys[list];
      const all = [...keys.required, ...keys.optional];
      if (all.every((key) => isBlank(entry[key]))) {
        placeholders.push({ list, index, env: typeof entry.ENV_NAME === "string" ? entry.ENV_NAME : "" });
        return;
      }
      // Absent keys are the schema's to report ("required"); blank ones are a half-filled placeholder.
      const blank = [...keys.required, ...(keys.alsoRequired ?? [])].filter((key) => key in entry && isBlank(entry[key]));
      if (blank.length > 0) {
        const filled = all.filter((key) => !isBlank(entry[key]));
        throw new ConfigError(
          file,
          jsonPath(blank.length === 1 ? [list, index, blank[0]] : [list, index]),
          `every name filled (or all of ${keys.required.join(", ")} blank to leave the entry a placeholder)`,
          `${filled.join(", ")} filled but ${blank.join(", ")} blank`,
        );
      }
      const names = entry.CONNECTION_NAMES;
      if (Array.isArray(names)) {
        const blankAt = names.findIndex(isBlank);
        if (blankAt >= 0) throw new ConfigError(file, jsonPath([list, index, "CONNECTION_NAMES", blankAt]), "a connection name", "a blank name");
      }
    });
  }
  return placeholders;
}

/** The document without its placeholder entries (what gets validated and deployed). */
export function withoutPlaceholders(document: Record<string, unknown>, placeholders: readonly PlaceholderEntry[]): Record<string, unknown> {
  const result: Record<string, unknown> = { ...document };
  for (const list of entryLists) {
    const entries = document[list];
    if (!Array.isArray(entries)) continue;
    const dropped = new Set(placeholders.filter((p) => p.list === list).map((p) => p.index));
    if (dropped.size > 0) result[list] = entries.filter((_entry: unknown, index) => !dropped.has(index));
  }
  return result;
}

/** The index in the file of the entry at `index` of `list` once placeholders are left out. */
export function originalIndex(list: EntryList, index: number, placeholders: readonly PlaceholderEntry[]): number {
  const skipped = placeholders.filter((p) => p.list === list).map((p) => p.index).sort((a, b) => a - b);
  let original = index;
  for (const skippedIndex of skipped) if (skippedIndex <= original) original += 1;
  return original;
}

/**
 * Maps `$.<list>[i]...` of the document without placeholders back to the index in the file, so errors name the
 * entry the user sees.
 */
export function originalPath(pathInFiltered: string, placeholders: readonly PlaceholderEntry[]): string {
  const match = /^\$\.(azure_managed_endpoint|kubernetes_endpoint|webapp_endpoint)\[(\d+)\]/.exec(pathInFiltered);
  if (!match) return pathInFiltered;
  const list = match[1] as EntryList;
  return `$.${list}[${originalIndex(list, Number(match[2]), placeholders)}]${pathInFiltered.slice(match[0].length)}`;
}

/** The one-line notice for a placeholder of the stack's environment. */
export function placeholderNotice(placeholder: PlaceholderEntry): string {
  const keys = nameKeys[placeholder.list].required.join(", ");
  return `${placeholder.list}[${placeholder.index}] (ENV_NAME "${placeholder.env}") is a placeholder (${keys} blank): not deployed.`;
}
