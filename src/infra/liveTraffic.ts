import type { TrafficMap } from "./traffic/trafficRules";

/** The split an online endpoint serves right now, as ARM reports it. */
export interface LiveTraffic {
  traffic: TrafficMap;
  mirrorTraffic: TrafficMap;
}

/** What a first deployment finds: no endpoint yet, so nothing routed. */
export const noLiveTraffic: LiveTraffic = { traffic: {}, mirrorTraffic: {} };

/**
 * True when an invoke failed because the resource does not exist. The Node SDK hands over only the engine's
 * message text (`new Error(details)`, no status code), so the HTTP status is read from it: azure-native's azcore
 * client formats ARM errors as `Status=404 Code="..." Message="..."`, its older autorest client as
 * `Status=404 ...` or `StatusCode=404 ...`. The ARM error code is not used: Azure ML answers a missing endpoint
 * with codes that vary by API version, while the status is always 404.
 */
export function isNotFoundInvokeError(err: unknown): boolean {
  const message = err instanceof Error ? err.message : typeof err === "string" ? err : "";
  return /\bStatus(?:Code)?=404\b/.test(message);
}

/** The split from a `getOnlineEndpoint` result; a value that is not a percent map is an error, never a guess. */
export function liveTrafficOf(endpoint: { properties?: { traffic?: unknown; mirrorTraffic?: unknown } }, endpointName: string): LiveTraffic {
  return {
    traffic: percentMap(endpoint.properties?.traffic, `${endpointName}: properties.traffic`),
    mirrorTraffic: percentMap(endpoint.properties?.mirrorTraffic, `${endpointName}: properties.mirrorTraffic`),
  };
}

/**
 * Reads the live split with `read` (the `getOnlineEndpoint` invoke): not found means a first deployment, so
 * `{}`; any other failure (no permission, throttling, an outage) is rethrown, because declaring the endpoint
 * with a made-up split is exactly the outage this exists to prevent.
 */
export async function readLiveTraffic(
  read: () => Promise<{ properties?: { traffic?: unknown; mirrorTraffic?: unknown } }>,
  endpointName: string,
): Promise<LiveTraffic> {
  let endpoint: { properties?: { traffic?: unknown; mirrorTraffic?: unknown } };
  try {
    endpoint = await read();
  } catch (err) {
    if (isNotFoundInvokeError(err)) return noLiveTraffic;
    throw err;
  }
  return liveTrafficOf(endpoint, endpointName);
}

function percentMap(value: unknown, what: string): TrafficMap {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`online endpoint ${what}: expected a map of deployment name to percent, found ${JSON.stringify(value)}`);
  }
  const map: TrafficMap = {};
  for (const [name, percent] of Object.entries(value)) {
    if (typeof percent !== "number" || !Number.isFinite(percent)) {
      throw new Error(`online endpoint ${what}.${name}: expected a percent, found ${JSON.stringify(percent)}`);
    }
    map[name] = percent;
  }
  return map;
}
