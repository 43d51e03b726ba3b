/**
 * The one plan diff: which resources two offline plans (`llmops plan` reports, or a promotion's two stacks) gain,
 * lose or declare with other inputs. Two ways to match resources: as the engine does (by URN, i.e. type and
 * name, honouring each resource's `ignoreChanges`) for "what would `pulumi up` change", or tolerant of
 * per-environment renames for a promotion's side-by-side view.
 */
import type { PlannedResource, ResourceDiff } from "./promotion/types";
import { diffValues } from "./promotion/valueDiff";

export interface ResourcePair {
  from: PlannedResource;
  to: PlannedResource;
}

export interface ResourcePairing {
  pairs: ResourcePair[];
  onlyFrom: PlannedResource[];
  onlyTo: PlannedResource[];
}

/**
 * `urn`: type and name only, and inputs under the resource's `ignoreChanges` are no change (what the engine does).
 * `renames`: also pairs a type's single leftover resource on each side, for stacks named after their environment.
 */
export type ResourceMatching = "urn" | "renames";

function key(resource: PlannedResource): string {
  return `${resource.type}\u0000${resource.name}`;
}

/**
 * Which resource of one stack is which of the other. Same type and logical name first; then (with `renames`),
 * because stacks often name resources after per-environment values (an endpoint `tickets-dev` vs `tickets-prod`),
 * a type with exactly one unmatched resource on each side pairs those two. Anything else is added or removed.
 */
export function pairResources(from: PlannedResource[], to: PlannedResource[], matching: ResourceMatching = "renames"): ResourcePairing {
  const toByKey = new Map(to.map((resource) => [key(resource), resource]));
  const pairs: ResourcePair[] = [];
  const leftFrom: PlannedResource[] = [];
  for (const resource of from) {
    const match = toByKey.get(key(resource));
    if (match) {
      pairs.push({ from: resource, to: match });
      toByKey.delete(key(resource));
    } else {
      leftFrom.push(resource);
    }
  }
  const leftTo = to.filter((resource) => toByKey.has(key(resource)));
  if (matching === "urn") return { pairs, onlyFrom: leftFrom, onlyTo: leftTo };

  const onlyFrom: PlannedResource[] = [];
  const onlyTo: PlannedResource[] = [];
  const types = [...new Set([...leftFrom, ...leftTo].map((resource) => resource.type))];
  for (const type of types) {
    const fromOfType = leftFrom.filter((resource) => resource.type === type);
    const toOfType = leftTo.filter((resource) => resource.type === type);
    if (fromOfType.length === 1 && toOfType.length === 1) {
      pairs.push({ from: fromOfType[0], to: toOfType[0] });
    } else {
      onlyFrom.push(...fromOfType);
      onlyTo.push(...toOfType);
    }
  }
  return { pairs, onlyFrom, onlyTo };
}

/** Whether `path` is `ignored` or lies under it (`a.b` covers `a.b.c` and `a.b[0]`). */
function isCovered(path: string, ignored: readonly string[]): boolean {
  return ignored.some((prefix) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`));
}

/** Resources the target stack gains, loses, or declares with other inputs than the source stack. */
export function diffResources(from: PlannedResource[], to: PlannedResource[], matching: ResourceMatching = "renames"): ResourceDiff {
  const { pairs, onlyFrom, onlyTo } = pairResources(from, to, matching);
  const result: ResourceDiff = { added: onlyTo, removed: onlyFrom, changed: [], unchanged: 0 };
  for (const pair of pairs) {
    const ignored = matching === "urn" ? (pair.to.options?.ignoreChanges ?? []) : [];
    const changes = diffValues(pair.from.inputs, pair.to.inputs).filter((change) => !isCovered(change.path, ignored));
    if (changes.length === 0 && pair.from.name === pair.to.name) {
      result.unchanged++;
      continue;
    }
    result.changed.push({ type: pair.from.type, fromName: pair.from.name, toName: pair.to.name, changes });
  }
  const byTypeAndName = (a: { type: string; name?: string; toName?: string }, b: typeof a): number =>
    a.type.localeCompare(b.type) || (a.name ?? a.toName ?? "").localeCompare(b.name ?? b.toName ?? "");
  result.added.sort(byTypeAndName);
  result.removed.sort(byTypeAndName);
  result.changed.sort(byTypeAndName);
  return result;
}

/** One step of `pulumi up`, as the engine would plan it. */
export interface PlannedChange {
  type: string;
  name: string;
  change: "create" | "delete" | "update";
  /** Input paths whose values differ (update only); paths under `ignoreChanges` are left out. */
  properties: string[];
}

/** What going from `before` to `after` would change, resource by resource, as the engine sees it (URN matching). */
export function diffPlans(before: { resources: PlannedResource[] }, after: { resources: PlannedResource[] }): PlannedChange[] {
  const diff = diffResources(before.resources, after.resources, "urn");
  return [
    ...diff.changed.map((change): PlannedChange => ({ type: change.type, name: change.toName, change: "update", properties: change.changes.map((value) => value.path) })),
    ...diff.added.map((resource): PlannedChange => ({ type: resource.type, name: resource.name, change: "create", properties: [] })),
    ...diff.removed.map((resource): PlannedChange => ({ type: resource.type, name: resource.name, change: "delete", properties: [] })),
  ];
}
