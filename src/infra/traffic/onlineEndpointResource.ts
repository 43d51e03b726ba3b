import { isRecord } from "../../core/values";
import { TrafficMap, TrafficState } from "./trafficRules";

/** The API version @pulumi/azure-native 3.28 uses for machinelearningservices, so both see the same shape. */
export const machineLearningApiVersion = "2025-12-01";

export interface OnlineEndpointRef {
  subscriptionId: string;
  resourceGroupName: string;
  workspaceName: string;
  endpointName: string;
}

/** ARM path of an online endpoint; each name is URL-encoded as one path segment. */
export function onlineEndpointPath(ref: OnlineEndpointRef): string {
  const segment = encodeURIComponent;
  return (
    `/subscriptions/${segment(ref.subscriptionId)}/resourceGroups/${segment(ref.resourceGroupName)}` +
    `/providers/Microsoft.MachineLearningServices/workspaces/${segment(ref.workspaceName)}` +
    `/onlineEndpoints/${segment(ref.endpointName)}`
  );
}

export function onlineDeploymentsPath(ref: OnlineEndpointRef): string {
  return `${onlineEndpointPath(ref)}/deployments`;
}

/** The traffic an endpoint resource (as ARM returns it) currently routes; missing maps are empty. */
export function trafficStateOf(resource: unknown): TrafficState {
  const properties = isRecord(resource) && isRecord(resource.properties) ? resource.properties : {};
  return { traffic: percentMap(properties.traffic), mirrorTraffic: percentMap(properties.mirrorTraffic) };
}

function percentMap(value: unknown): TrafficMap {
  const map: TrafficMap = {};
  if (!isRecord(value)) return map;
  for (const [name, percent] of Object.entries(value)) {
    if (typeof percent === "number") map[name] = percent;
  }
  return map;
}

export function resourceNameOf(resource: unknown): string | undefined {
  return isRecord(resource) && typeof resource.name === "string" ? resource.name : undefined;
}

// Marked readOnly in the 2025-12-01 definitions (OnlineEndpoint, EndpointPropertiesBase), plus `keys`, which is
// create-only ("x-ms-mutability: create") and always read back as null.
const readOnlyEndpointProperties = ["provisioningState", "scoringUri", "swaggerUri", "keys"];
// TrackedResource's read-only envelope.
const readOnlyEnvelope = ["id", "name", "type", "systemData", "etag"];

/**
 * The body that PUTs an endpoint back exactly as it is, except for its traffic. ARM's PUT replaces the whole
 * resource, so everything writable is kept (location, identity, kind, sku, tags, authMode, description,
 * publicNetworkAccess, compute, properties dictionary); read-only fields are dropped. Identity keeps only what
 * the caller can set: ARM fills principalId/tenantId/clientId itself.
 */
export function endpointPutBody(current: unknown, state: TrafficState): Record<string, unknown> {
  if (!isRecord(current) || !isRecord(current.properties)) {
    throw new Error("the endpoint as read from ARM has no properties object");
  }
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(current)) {
    if (!readOnlyEnvelope.includes(key) && value !== null && value !== undefined) body[key] = value;
  }
  const properties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(current.properties)) {
    if (!readOnlyEndpointProperties.includes(key) && value !== null && value !== undefined) properties[key] = value;
  }
  properties.traffic = { ...state.traffic };
  properties.mirrorTraffic = { ...state.mirrorTraffic };
  body.properties = properties;
  if (isRecord(current.identity)) body.identity = writableIdentity(current.identity);
  return body;
}

function writableIdentity(identity: Record<string, unknown>): Record<string, unknown> {
  const writable: Record<string, unknown> = { type: identity.type };
  if (isRecord(identity.userAssignedIdentities)) {
    const assigned: Record<string, Record<string, never>> = {};
    for (const id of Object.keys(identity.userAssignedIdentities)) assigned[id] = {};
    writable.userAssignedIdentities = assigned;
  }
  return writable;
}
