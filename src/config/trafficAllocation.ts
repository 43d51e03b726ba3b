import { ConfigError } from "../core/userError";
import type { LooseNumber, OnlineEndpointEntry } from "./deploymentConfigTypes";
import { jsonPath, type PathSegment } from "./jsonPath";
import { looseNumber, looseString } from "./looseValues";

export interface TrafficSlot {
  name: string;
  traffic: number;
}

/** Live traffic per deployment (every deployment named, sums to 100) and the mirrored share of the current one. */
export interface ResolvedTraffic {
  current: TrafficSlot;
  prior?: TrafficSlot;
  mirrorPercent: number;
}

/**
 * Reads the template's traffic keys without its defects: both allocations are honoured (never "100 - current"),
 * an empty prior name means "no prior" (never a "" traffic key), prior == current is rejected (never zeroed),
 * and the result names exactly the deployments the entry declares.
 */
export function resolveTraffic(
  entry: OnlineEndpointEntry & { MIRROR_TRAFFIC?: LooseNumber },
  file: string,
  base: readonly PathSegment[],
): ResolvedTraffic {
  const at = (key: string): string => jsonPath([...base, key]);
  const priorName = looseString(entry.PRIOR_DEPLOYMENT_NAME);
  const priorTraffic = looseNumber(entry.PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION);
  const currentTraffic = looseNumber(entry.CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION);
  const currentName = entry.CURRENT_DEPLOYMENT_NAME;
  let resolved: ResolvedTraffic;

  if (priorName === undefined) {
    if (priorTraffic !== undefined && priorTraffic > 0) {
      throw new ConfigError(
        file,
        at("PRIOR_DEPLOYMENT_NAME"),
        `the name of the prior deployment that receives PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION (${priorTraffic}%)`,
        describeName(entry.PRIOR_DEPLOYMENT_NAME),
      );
    }
    const traffic = currentTraffic ?? 100;
    if (traffic !== 100) {
      throw new ConfigError(
        file,
        at("CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION"),
        "100 for a single deployment (no PRIOR_DEPLOYMENT_NAME), so traffic sums to 100",
        String(traffic),
      );
    }
    resolved = { current: { name: currentName, traffic }, mirrorPercent: 0 };
  } else {
    if (priorName.toLowerCase() === currentName.toLowerCase()) {
      throw new ConfigError(
        file,
        at("PRIOR_DEPLOYMENT_NAME"),
        "a prior deployment name different from CURRENT_DEPLOYMENT_NAME (or \"\" for a single deployment)",
        JSON.stringify(priorName),
      );
    }
    if (priorTraffic === undefined) {
      throw new ConfigError(
        file,
        at("PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION"),
        `the traffic percentage of prior deployment "${priorName}" (0-100)`,
        describeName(""),
      );
    }
    if (currentTraffic === undefined) {
      throw new ConfigError(
        file,
        at("CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION"),
        `the traffic percentage of current deployment "${currentName}" (0-100)`,
        describeName(""),
      );
    }
    if (priorTraffic + currentTraffic !== 100) {
      throw new ConfigError(
        file,
        at("CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION"),
        `traffic allocations that sum to 100 (prior ${priorTraffic} + current ${currentTraffic})`,
        `a sum of ${priorTraffic + currentTraffic}`,
      );
    }
    resolved = {
      current: { name: currentName, traffic: currentTraffic },
      prior: { name: priorName, traffic: priorTraffic },
      mirrorPercent: 0,
    };
  }

  const mirror = looseNumber(entry.MIRROR_TRAFFIC) ?? 0;
  if (mirror > 50) {
    throw new ConfigError(file, at("MIRROR_TRAFFIC"), "a mirrored percentage of at most 50", String(mirror));
  }
  if (mirror > 0 && resolved.current.traffic > 0) {
    throw new ConfigError(
      file,
      at("MIRROR_TRAFFIC"),
      "0 while the current deployment has live traffic (Azure mirrors only to a deployment with 0% live traffic: " +
        "set CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION to 0 to shadow-test it)",
      `${mirror} with current traffic ${resolved.current.traffic}`,
    );
  }
  resolved.mirrorPercent = mirror;
  return resolved;
}

function describeName(value: string | undefined): string {
  return value === undefined ? "nothing" : value === "" ? 'an empty string ""' : JSON.stringify(value);
}

/** The endpoint's live traffic map: exactly the declared deployments. */
export function trafficMap(resolved: ResolvedTraffic): Record<string, number> {
  const map: Record<string, number> = { [resolved.current.name]: resolved.current.traffic };
  if (resolved.prior) map[resolved.prior.name] = resolved.prior.traffic;
  return map;
}

export function mirrorTrafficMap(resolved: ResolvedTraffic): Record<string, number> {
  return resolved.mirrorPercent > 0 ? { [resolved.current.name]: resolved.mirrorPercent } : {};
}
