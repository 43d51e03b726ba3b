import { isRecord } from "../../core/values";
import type { SectionDiff, StackConfigSource, ValueChange } from "./types";
import { diffValues } from "./valueDiff";

/**
 * Keys of the two stack files that differ, e.g. `llmops:workspaceName` or `llmops:keyVault.name`. Both sides are
 * the reader's masked values: ciphertexts are encrypted per stack, so two secrets never compare meaningfully and
 * a promotion only shows that a key is secret on one side and not the other, never a value.
 */
export function diffStackConfig(before: Record<string, unknown>, after: Record<string, unknown>): ValueChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((key) => diffValues(before[key], after[key], key));
}

/** The entry of an environment-keyed section (`[{ENV_NAME: ...}, ...]`) for one ENV_NAME, without ENV_NAME. */
function entryFor(document: unknown, section: string, environment: string): Record<string, unknown> | undefined {
  if (!isRecord(document)) return undefined;
  const entries = document[section];
  if (!Array.isArray(entries)) return undefined;
  const entry = entries.find((candidate): candidate is Record<string, unknown> => isRecord(candidate) && candidate.ENV_NAME === environment);
  if (!entry) return undefined;
  const { ENV_NAME: _environment, ...rest } = entry;
  return rest;
}

function environmentSections(document: unknown): string[] {
  if (!isRecord(document)) return [];
  return Object.keys(document).filter((key) => Array.isArray(document[key]));
}

/**
 * deployment_config.json entries of the two environments compared section by section (azure_managed_endpoint,
 * webapp_endpoint, kubernetes_endpoint, ...). "90" and 90 are the same allocation, as the template writes both.
 */
export function diffDeploymentConfig(from: StackConfigSource, to: StackConfigSource): SectionDiff[] {
  const sections = [...new Set([...environmentSections(from.deploymentConfig), ...environmentSections(to.deploymentConfig)])].sort();
  const result: SectionDiff[] = [];
  for (const section of sections) {
    const before = entryFor(from.deploymentConfig, section, from.environment);
    const after = entryFor(to.deploymentConfig, section, to.environment);
    if (before === undefined && after === undefined) continue;
    const changes = diffValues(before ?? {}, after ?? {}, "", { looseNumbers: true });
    const diff: SectionDiff = { section, changes };
    if (before === undefined) diff.missingIn = "from";
    if (after === undefined) diff.missingIn = "to";
    if (changes.length > 0 || diff.missingIn !== undefined) result.push(diff);
  }
  return result;
}
