import type { PlannedResource, ResourceDiff } from "./types";
import { diffValues } from "./valueDiff";

export interface ResourcePair {
  from: PlannedResource;
  to: PlannedResource;
}

export interface ResourcePairing {
  pairs: ResourcePair[];
  onlyFrom: PlannedResource[];
  onlyTo: PlannedResource[];
}

function key(resource: PlannedResource): string {
  return `${resource.type}\u0000${resource.name}`;
}

/**
 * Which resource of one stack is which of the other. Same type and logical name first; then, because stacks
 * often name resources after per-environment values (an endpoint `tickets-dev` vs `tickets-prod`), a type with
 * exactly one unmatched resource on each side pairs those two. Anything else is added or removed.
 */
export function pairResources(from: PlannedResource[], to: PlannedResource[]): ResourcePairing {
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

/** Resources the target stack gains, loses, or declares with other inputs than the source stack. */
export function diffResources(from: PlannedResource[], to: PlannedResource[]): ResourceDiff {
  const { pairs, onlyFrom, onlyTo } = pairResources(from, to);
  const result: ResourceDiff = { added: onlyTo, removed: onlyFrom, changed: [], unchanged: 0 };
  for (const pair of pairs) {
    const changes = diffValues(pair.from.inputs, pair.to.inputs);
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
