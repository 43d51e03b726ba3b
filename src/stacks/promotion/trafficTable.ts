import type { StackPlanSnapshot, TrafficRow } from "./types";
import { isRecord } from "../../core/values";

type Shares = Record<string, number>;
/** endpoint name → { deployment → live share, deployment → mirrored share } */
type TrafficByEndpoint = Map<string, { traffic: Shares; mirror: Shares }>;

function asShares(value: unknown): Shares | undefined {
  if (!isRecord(value)) return undefined;
  const shares: Shares = {};
  for (const [deployment, share] of Object.entries(value)) {
    const number = typeof share === "string" && share.trim() !== "" ? Number(share) : share;
    if (typeof number !== "number" || !Number.isFinite(number)) return undefined;
    shares[deployment] = number;
  }
  return shares;
}

/**
 * The traffic each stack sets. Read from the resource that applies traffic (any resource whose inputs carry an
 * `endpointName` and a `traffic` map: the EndpointTraffic step), and from `traffic`/`mirrorTraffic` stack
 * outputs when no such resource exists (outputs hold one endpoint, named by the `endpointName` output).
 */
export function extractTraffic(snapshot: StackPlanSnapshot): TrafficByEndpoint {
  const result: TrafficByEndpoint = new Map();
  for (const resource of snapshot.resources) {
    const endpoint = resource.inputs.endpointName;
    const traffic = asShares(resource.inputs.traffic);
    if (typeof endpoint !== "string" || traffic === undefined) continue;
    result.set(endpoint, { traffic, mirror: asShares(resource.inputs.mirrorTraffic) ?? {} });
  }
  if (result.size > 0) return result;
  const traffic = asShares(snapshot.outputs.traffic);
  if (traffic !== undefined) {
    const endpoint = typeof snapshot.outputs.endpointName === "string" ? snapshot.outputs.endpointName : "endpoint";
    result.set(endpoint, { traffic, mirror: asShares(snapshot.outputs.mirrorTraffic) ?? {} });
  }
  return result;
}

function endpointLabel(fromEndpoint: string | undefined, toEndpoint: string | undefined): string {
  if (fromEndpoint === undefined) return toEndpoint ?? "";
  if (toEndpoint === undefined || toEndpoint === fromEndpoint) return fromEndpoint;
  return `${fromEndpoint} → ${toEndpoint}`;
}

/**
 * Side-by-side traffic of both stacks. Endpoints are matched by name, or, when each stack has exactly one
 * endpoint under different names (per-environment naming), those two are the same endpoint.
 */
export function compareTraffic(from: StackPlanSnapshot, to: StackPlanSnapshot): TrafficRow[] {
  const fromTraffic = extractTraffic(from);
  const toTraffic = extractTraffic(to);
  const pairs: [string | undefined, string | undefined][] = [];
  if (fromTraffic.size === 1 && toTraffic.size === 1) {
    pairs.push([[...fromTraffic.keys()][0], [...toTraffic.keys()][0]]);
  } else {
    const names = [...new Set([...fromTraffic.keys(), ...toTraffic.keys()])].sort();
    for (const name of names) {
      pairs.push([fromTraffic.has(name) ? name : undefined, toTraffic.has(name) ? name : undefined]);
    }
  }

  const rows: TrafficRow[] = [];
  for (const [fromEndpoint, toEndpoint] of pairs) {
    const before = fromEndpoint === undefined ? undefined : fromTraffic.get(fromEndpoint);
    const after = toEndpoint === undefined ? undefined : toTraffic.get(toEndpoint);
    const endpoint = endpointLabel(fromEndpoint, toEndpoint);
    const deployments = new Set<string>();
    for (const side of [before, after]) {
      if (!side) continue;
      for (const name of [...Object.keys(side.traffic), ...Object.keys(side.mirror)]) deployments.add(name);
    }
    for (const deployment of [...deployments].sort()) {
      const row: TrafficRow = { endpoint, deployment };
      if (before?.traffic[deployment] !== undefined) row.fromTraffic = before.traffic[deployment];
      if (after?.traffic[deployment] !== undefined) row.toTraffic = after.traffic[deployment];
      if (before?.mirror[deployment] !== undefined) row.fromMirror = before.mirror[deployment];
      if (after?.mirror[deployment] !== undefined) row.toMirror = after.mirror[deployment];
      rows.push(row);
    }
  }
  return rows;
}
