/**
 * Rules for an online endpoint's traffic maps, as pure functions. ARM enforces some of them late (after minutes
 * of provisioning) and one not at all: it accepts an empty map, which sends 0% everywhere (the template's
 * defect #182). We check them before any request.
 */

/** Percent of live traffic per deployment name. */
export type TrafficMap = Record<string, number>;

export interface TrafficState {
  /** Sums to 100. */
  traffic: TrafficMap;
  /** Copies of requests sent to deployments whose answers are discarded; sums to at most 50. */
  mirrorTraffic: TrafficMap;
}

export interface TrafficProblem {
  /** "traffic" or "mirrorTraffic" (optionally with a deployment key), for Pulumi check failures. */
  property: string;
  reason: string;
}

export const maxMirrorPercent = 50;

/** Every problem with a requested traffic state; empty when ARM would accept it and it serves requests. */
export function trafficProblems(state: TrafficState): TrafficProblem[] {
  const problems: TrafficProblem[] = [];
  const traffic = Object.entries(state.traffic);
  if (traffic.length === 0) {
    problems.push({ property: "traffic", reason: "is empty: the endpoint would answer no request (0% everywhere)" });
  }
  problems.push(...percentProblems("traffic", state.traffic));
  problems.push(...percentProblems("mirrorTraffic", state.mirrorTraffic));
  const liveSum = sumOf(state.traffic);
  if (traffic.length > 0 && liveSum !== 100) {
    problems.push({ property: "traffic", reason: `sums to ${liveSum}, expected 100 (${describeTraffic(state.traffic)})` });
  }
  const mirrorSum = sumOf(state.mirrorTraffic);
  if (mirrorSum > maxMirrorPercent) {
    problems.push({ property: "mirrorTraffic", reason: `sums to ${mirrorSum}, expected at most ${maxMirrorPercent}` });
  }
  for (const [name, percent] of Object.entries(state.mirrorTraffic)) {
    if (percent > 0 && (state.traffic[name] ?? 0) > 0) {
      problems.push({
        property: `mirrorTraffic.${name}`,
        reason: `mirrors to '${name}', which already receives ${state.traffic[name]}% live traffic; ARM refuses that`,
      });
    }
  }
  return problems;
}

function percentProblems(property: string, map: TrafficMap): TrafficProblem[] {
  const problems: TrafficProblem[] = [];
  for (const [name, percent] of Object.entries(map)) {
    if (name.trim() === "") problems.push({ property, reason: "names a deployment with an empty name" });
    if (typeof percent !== "number" || !Number.isInteger(percent) || percent < 0 || percent > 100) {
      problems.push({ property: `${property}.${name}`, reason: `must be a whole percent 0-100, found ${String(percent)}` });
    }
  }
  return problems;
}

export function sumOf(map: TrafficMap): number {
  return Object.values(map).reduce((sum, percent) => sum + percent, 0);
}

/** "blue=90, green=10" (sorted), for messages. */
export function describeTraffic(map: TrafficMap): string {
  const entries = Object.entries(map).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? "empty" : entries.map(([name, percent]) => `${name}=${percent}`).join(", ");
}

/**
 * Same routing? A deployment at 0% and a deployment left out route the same (nothing), and ARM may keep or drop
 * explicit zeros, so zeros are ignored; otherwise every re-run would look like a change.
 */
export function sameTraffic(a: TrafficMap, b: TrafficMap): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const name of names) {
    if ((a[name] ?? 0) !== (b[name] ?? 0)) return false;
  }
  return true;
}

export function sameTrafficState(a: TrafficState, b: TrafficState): boolean {
  return sameTraffic(a.traffic, b.traffic) && sameTraffic(a.mirrorTraffic, b.mirrorTraffic);
}

/** Deployment names a state routes requests to (live or mirrored, above 0%). */
export function deploymentsReceiving(state: TrafficState): string[] {
  const names = new Set<string>();
  for (const map of [state.traffic, state.mirrorTraffic]) {
    for (const [name, percent] of Object.entries(map)) if (percent > 0) names.add(name);
  }
  return [...names].sort();
}
