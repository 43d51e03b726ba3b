import type { OfflinePlanReport, RecordedResource } from "./types";

export interface PlannedChange {
  type: string;
  name: string;
  change: "create" | "delete" | "update";
  /** Dotted input paths whose values differ (update only); paths under `ignoreChanges` are left out. */
  properties: string[];
}

/**
 * What going from `before` to `after` would change, resource by resource, as the engine sees it: resources
 * match by type and name (their URN), and an input covered by the resource's `ignoreChanges` is no change.
 */
export function diffOfflinePlans(before: OfflinePlanReport, after: OfflinePlanReport): PlannedChange[] {
  const key = (resource: RecordedResource) => `${resource.type}::${resource.name}`;
  const previous = new Map(before.resources.map((resource) => [key(resource), resource]));
  const next = new Map(after.resources.map((resource) => [key(resource), resource]));
  const changes: PlannedChange[] = [];
  for (const [id, resource] of next) {
    const old = previous.get(id);
    if (old === undefined) {
      changes.push({ type: resource.type, name: resource.name, change: "create", properties: [] });
      continue;
    }
    const ignored = resource.options.ignoreChanges;
    const properties = changedPaths(old.inputs, resource.inputs).filter(
      (changed) => !ignored.some((path) => changed === path || changed.startsWith(`${path}.`)),
    );
    if (properties.length > 0) changes.push({ type: resource.type, name: resource.name, change: "update", properties });
  }
  for (const [id, resource] of previous) {
    if (!next.has(id)) changes.push({ type: resource.type, name: resource.name, change: "delete", properties: [] });
  }
  return changes;
}

function changedPaths(a: unknown, b: unknown, prefix = ""): string[] {
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedPaths(a[k], b[k], prefix === "" ? k : `${prefix}.${k}`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
}
