import { ArmApi, provisioningStateOf } from "../../azure/arm/armClient";
import { UserError } from "../../core/userError";
import {
  OnlineEndpointRef,
  endpointPutBody,
  machineLearningApiVersion,
  onlineDeploymentsPath,
  onlineEndpointPath,
  resourceNameOf,
  trafficStateOf,
} from "./onlineEndpointResource";
import { TrafficMap, TrafficState, deploymentsReceiving, describeTraffic, sameTrafficState, trafficProblems } from "./trafficRules";

/** A traffic request that cannot be applied (bad percentages, unknown or failed deployments). */
export class TrafficError extends UserError {
  override readonly name = "TrafficError";
}

export interface EndpointTrafficRequest extends OnlineEndpointRef {
  traffic: TrafficMap;
  /** Omitted = no mirroring (an existing mirror is removed). */
  mirrorTraffic?: TrafficMap;
}

export interface EndpointTrafficResult {
  /** False when the endpoint already routed exactly this; then nothing was sent. */
  changed: boolean;
  /** What the endpoint routed before; pass it back to setEndpointTraffic to roll back. */
  previous: TrafficState;
  /** What ARM reports after the update. */
  applied: TrafficState;
}

const unhealthyDeploymentStates = ["failed", "canceled", "deleting"];

/**
 * Points an existing endpoint's traffic at its deployments: GET the endpoint, check every named deployment
 * exists (and is not failed), PUT the endpoint back with only the traffic changed, wait for ARM, and read it back
 * to prove the change took. Never sends a body that routes nowhere. Does nothing when already in place.
 */
export async function setEndpointTraffic(client: ArmApi, request: EndpointTrafficRequest): Promise<EndpointTrafficResult> {
  const wanted: TrafficState = { traffic: { ...request.traffic }, mirrorTraffic: { ...(request.mirrorTraffic ?? {}) } };
  const endpointLabel = `endpoint '${request.endpointName}' (workspace '${request.workspaceName}')`;
  assertValid(wanted, endpointLabel);

  const path = onlineEndpointPath(request);
  const current = await client.getIfExists(path, machineLearningApiVersion);
  if (current === undefined) {
    throw new TrafficError(`${endpointLabel} does not exist; create it and its deployments before setting traffic`);
  }
  const previous = trafficStateOf(current);
  if (sameTrafficState(previous, wanted)) return { changed: false, previous, applied: previous };

  await assertDeploymentsReady(client, request, wanted, endpointLabel);

  const body = endpointPutBody(current, wanted);
  // Belt and braces against defect #182: whatever happened above, never PUT an endpoint routing nowhere.
  assertValid(trafficStateOf(body), endpointLabel);
  await client.put(path, machineLearningApiVersion, body);

  const after = await client.get(path, machineLearningApiVersion);
  const applied = trafficStateOf(after);
  if (!sameTrafficState(applied, wanted)) {
    throw new TrafficError(
      `${endpointLabel}: ARM accepted the update but reports traffic ${describeTraffic(applied.traffic)}` +
        ` (mirror ${describeTraffic(applied.mirrorTraffic)}), expected ${describeTraffic(wanted.traffic)}` +
        ` (mirror ${describeTraffic(wanted.mirrorTraffic)})`,
    );
  }
  return { changed: true, previous, applied };
}

/** The endpoint's live traffic, or undefined when the endpoint does not exist. */
export async function readEndpointTraffic(client: ArmApi, ref: OnlineEndpointRef): Promise<TrafficState | undefined> {
  const current = await client.getIfExists(onlineEndpointPath(ref), machineLearningApiVersion);
  return current === undefined ? undefined : trafficStateOf(current);
}

function assertValid(state: TrafficState, endpointLabel: string): void {
  const problems = trafficProblems(state);
  if (problems.length > 0) {
    throw new TrafficError(`${endpointLabel}: ${problems.map((p) => `${p.property} ${p.reason}`).join("; ")}`);
  }
}

async function assertDeploymentsReady(
  client: ArmApi,
  ref: OnlineEndpointRef,
  wanted: TrafficState,
  endpointLabel: string,
): Promise<void> {
  const deployments = await client.list(onlineDeploymentsPath(ref), machineLearningApiVersion);
  const stateByName = new Map<string, string | undefined>();
  for (const deployment of deployments) {
    const name = resourceNameOf(deployment);
    if (name !== undefined) stateByName.set(name, provisioningStateOf(deployment));
  }
  const named = [...new Set([...Object.keys(wanted.traffic), ...Object.keys(wanted.mirrorTraffic)])].sort();
  const missing = named.filter((name) => !stateByName.has(name));
  if (missing.length > 0) {
    const existing = [...stateByName.keys()].sort();
    throw new TrafficError(
      `${endpointLabel}: traffic names deployment(s) ${missing.map((n) => `'${n}'`).join(", ")} that do not exist` +
        ` (existing: ${existing.length === 0 ? "none" : existing.join(", ")})`,
    );
  }
  const unhealthy = deploymentsReceiving(wanted).filter((name) => {
    const state = stateByName.get(name);
    return state !== undefined && unhealthyDeploymentStates.includes(state.toLowerCase());
  });
  if (unhealthy.length > 0) {
    throw new TrafficError(
      `${endpointLabel}: refusing to route traffic to ${unhealthy
        .map((name) => `'${name}' (provisioningState ${stateByName.get(name)})`)
        .join(", ")}`,
    );
  }
}
