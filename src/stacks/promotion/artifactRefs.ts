import { pairResources } from "../planDiff";
import type { ArtifactRow, PlannedResource, StackPlanSnapshot } from "./types";
import { joinPath } from "./valueDiff";
import { isRecord } from "../../core/values";

/**
 * Input keys that say what a resource runs: a deployment's model asset and environment, an environment's or
 * a Web App's image, a pushed image's name, a model version's URI. Anything else is configuration.
 */
const artifactKeys = new Set(["model", "environmentId", "image", "imageName", "linuxFxVersion", "modelUri"]);

/** field path → reference, for every artifact key found anywhere in the resource's inputs. */
export function artifactReferences(resource: PlannedResource): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (value: unknown, path: string): void => {
    if (!isRecord(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const childPath = joinPath(path, key);
      if (artifactKeys.has(key) && typeof child === "string") found.set(childPath, child);
      else walk(child, childPath);
    }
  };
  walk(resource.inputs, "");
  return found;
}

function label(from: PlannedResource | undefined, to: PlannedResource | undefined): string {
  const resource = to ?? from;
  if (resource === undefined) return "";
  const name = from && to && from.name !== to.name ? `${from.name} → ${to.name}` : resource.name;
  return `${resource.type.split(":").pop() ?? resource.type} ${name}`;
}

/** What each resource runs in both stacks, resources paired as in the resource diff; unchanged rows included. */
export function compareArtifacts(from: StackPlanSnapshot, to: StackPlanSnapshot): ArtifactRow[] {
  const { pairs, onlyFrom, onlyTo } = pairResources(from.resources, to.resources);
  const sides: [PlannedResource | undefined, PlannedResource | undefined][] = [
    ...pairs.map((pair): [PlannedResource, PlannedResource] => [pair.from, pair.to]),
    ...onlyFrom.map((resource): [PlannedResource, undefined] => [resource, undefined]),
    ...onlyTo.map((resource): [undefined, PlannedResource] => [undefined, resource]),
  ];
  const rows: ArtifactRow[] = [];
  for (const [before, after] of sides) {
    const beforeRefs = before ? artifactReferences(before) : new Map<string, string>();
    const afterRefs = after ? artifactReferences(after) : new Map<string, string>();
    for (const field of [...new Set([...beforeRefs.keys(), ...afterRefs.keys()])].sort()) {
      const row: ArtifactRow = { resource: label(before, after), field };
      const fromRef = beforeRefs.get(field);
      const toRef = afterRefs.get(field);
      if (fromRef !== undefined) row.from = fromRef;
      if (toRef !== undefined) row.to = toRef;
      rows.push(row);
    }
  }
  return rows.sort((a, b) => a.resource.localeCompare(b.resource) || a.field.localeCompare(b.field));
}
