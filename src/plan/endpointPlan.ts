import type { KubernetesEndpointEntry, OnlineEndpointEntry, ProbeConfig } from "../config/deploymentConfigTypes";
import type { PathSegment } from "../config/jsonPath";
import { looseBoolean, looseNumber, looseString } from "../config/looseValues";
import { mirrorTrafficMap, resolveTraffic, trafficMap, type TrafficSlot } from "../config/trafficAllocation";
import { isoDurationFromMilliseconds, isoDurationFromSeconds } from "./isoDuration";
import type { AzureTarget, ContainerResourceRequestsPlan, DeploymentPlan, DeploymentServes, EndpointCompute, EndpointPlan, ProbePlan } from "./types";

/** The template's request timeout: flows that chain several LLM calls need minutes, and 180000 ms is Azure's maximum. */
export const defaultRequestTimeoutMs = 180_000;
export const defaultMaxConcurrentRequestsPerInstance = 1;
export const defaultTargetUtilization = 70;

/**
 * Probe defaults for prompt flow containers: /health answers once the serving app has loaded the flow, which can
 * take a minute or more on a cold instance, so probes tolerate 30 failures 10 s apart (5 minutes) before acting.
 */
export const defaultProbe = {
  INITIAL_DELAY_SECONDS: 10,
  PERIOD_SECONDS: 10,
  TIMEOUT_SECONDS: 10,
  FAILURE_THRESHOLD: 30,
  SUCCESS_THRESHOLD: 1,
} as const;

export function probePlan(config: ProbeConfig | undefined): ProbePlan {
  const value = (key: keyof ProbeConfig): number => looseNumber(config?.[key]) ?? defaultProbe[key];
  return {
    initialDelay: isoDurationFromSeconds(value("INITIAL_DELAY_SECONDS")),
    period: isoDurationFromSeconds(value("PERIOD_SECONDS")),
    timeout: isoDurationFromSeconds(value("TIMEOUT_SECONDS")),
    failureThreshold: value("FAILURE_THRESHOLD"),
    successThreshold: value("SUCCESS_THRESHOLD"),
  };
}

/** current: this build unless pinned; prior: what it was created with (frozen) unless pinned. */
export function servesOf(entry: OnlineEndpointEntry, role: "current" | "prior"): DeploymentServes {
  const prefix = role === "current" ? "CURRENT" : "PRIOR";
  const modelVersion = looseString(entry[`${prefix}_DEPLOYMENT_MODEL_VERSION`]);
  const image = looseString(entry[`${prefix}_DEPLOYMENT_IMAGE`]);
  if (modelVersion !== undefined) return image === undefined ? { kind: "pinned", modelVersion } : { kind: "pinned", modelVersion, image };
  return role === "current" ? { kind: "candidate" } : { kind: "frozen" };
}

/** Lets the serving flow resolve workspace connections (documented by Azure ML for flows on managed endpoints). */
export function promptflowConfigOverride(azure: AzureTarget, endpointName: string, deploymentName: string): string {
  return [
    `deployment.subscription_id=${azure.subscriptionId}`,
    `deployment.resource_group=${azure.workspace.resourceGroupName}`,
    `deployment.workspace_name=${azure.workspace.name}`,
    `deployment.endpoint_name=${endpointName}`,
    `deployment.deployment_name=${deploymentName}`,
  ].join(",");
}

/** The container requests of a Kubernetes entry; numbers become the quantity strings ARM takes. */
function containerResourceRequestsOf(entry: KubernetesEndpointEntry): ContainerResourceRequestsPlan | undefined {
  const cpu = typeof entry.CPU_ALLOCATION === "number" ? String(entry.CPU_ALLOCATION) : looseString(entry.CPU_ALLOCATION);
  const memory = looseString(entry.MEMORY_ALLOCATION);
  if (cpu === undefined && memory === undefined) return undefined;
  return { ...(cpu !== undefined ? { cpu } : {}), ...(memory !== undefined ? { memory } : {}) };
}

/** Where the entry's endpoint runs: managed compute, or the Kubernetes compute a kubernetes_endpoint entry names. */
export type EndpointEntryOf =
  | { kind: "managed"; entry: OnlineEndpointEntry }
  | { kind: "kubernetes"; entry: KubernetesEndpointEntry };

export interface EndpointPlanInput {
  endpoint: EndpointEntryOf;
  file: string;
  base: readonly PathSegment[];
  azure: AzureTarget;
  flowName: string;
  /** TEST_FILE_PATH resolved to an existing absolute path. */
  testFilePath: string;
  /** The use case's environment/env.yaml: plain values, and secrets by the variable holding them. */
  useCaseEnvironment?: { values: Record<string, string>; secrets: Record<string, string> };
}

export function buildEndpointPlan(input: EndpointPlanInput): EndpointPlan {
  const { azure } = input;
  const { entry } = input.endpoint;
  const compute: EndpointCompute =
    input.endpoint.kind === "kubernetes" ? { kind: "kubernetes", computeName: input.endpoint.entry.COMPUTE_NAME } : { kind: "managed" };
  const containerResourceRequests = input.endpoint.kind === "kubernetes" ? containerResourceRequestsOf(input.endpoint.entry) : undefined;
  const vmSize = looseString(entry.DEPLOYMENT_VM_SIZE);
  const traffic = resolveTraffic(entry, input.file, input.base);
  const instanceCount = looseNumber(entry.DEPLOYMENT_INSTANCE_COUNT) ?? 1;
  const deployment = (slot: TrafficSlot, role: "current" | "prior"): DeploymentPlan => {
    const plan: DeploymentPlan = {
      name: slot.name,
      role,
      description: looseString(entry.DEPLOYMENT_DESC) ?? `prompt flow ${input.flowName} (${role} deployment)`,
      ...(vmSize !== undefined ? { vmSize } : {}),
      instanceCount,
      ...(containerResourceRequests !== undefined ? { containerResourceRequests: { ...containerResourceRequests } } : {}),
      serves: servesOf(entry, role),
      environmentVariables: {
        PRT_CONFIG_OVERRIDE: promptflowConfigOverride(azure, entry.ENDPOINT_NAME, slot.name),
        ...(entry.ENVIRONMENT_VARIABLES ?? {}),
        // As the template: env.yaml over the entry's ENVIRONMENT_VARIABLES.
        ...(input.useCaseEnvironment?.values ?? {}),
        PROMPTFLOW_RUN_MODE: "serving",
      },
      request: {
        timeout: isoDurationFromMilliseconds(looseNumber(entry.REQUEST_TIMEOUT_MS) ?? defaultRequestTimeoutMs),
        maxConcurrentRequestsPerInstance:
          looseNumber(entry.MAX_CONCURRENT_REQUESTS_PER_INSTANCE) ?? defaultMaxConcurrentRequestsPerInstance,
      },
      livenessProbe: probePlan(entry.LIVENESS_PROBE),
      readinessProbe: probePlan(entry.READINESS_PROBE),
      appInsightsEnabled: looseBoolean(entry.APP_INSIGHTS_ENABLED, true),
      dataCollection: looseBoolean(entry.DATA_COLLECTION, false),
    };
    const secrets = input.useCaseEnvironment?.secrets ?? {};
    if (Object.keys(secrets).length > 0) plan.secretEnvironmentVariables = { ...secrets };
    if (entry.AUTOSCALE) {
      plan.autoscale = {
        minInstances: looseNumber(entry.AUTOSCALE.MIN_INSTANCES) ?? 1,
        maxInstances: looseNumber(entry.AUTOSCALE.MAX_INSTANCES) ?? 1,
        targetUtilizationPercentage: looseNumber(entry.AUTOSCALE.TARGET_UTILIZATION) ?? defaultTargetUtilization,
      };
    }
    return plan;
  };
  const deployments = [deployment(traffic.current, "current")];
  if (traffic.prior) deployments.push(deployment(traffic.prior, "prior"));
  return {
    name: entry.ENDPOINT_NAME,
    compute,
    description: looseString(entry.ENDPOINT_DESC) ?? `prompt flow ${input.flowName}`,
    authMode: entry.AUTH_MODE === "aad_token" ? "AADToken" : "Key",
    deployments,
    traffic: trafficMap(traffic),
    mirrorTraffic: mirrorTrafficMap(traffic),
    testFilePath: input.testFilePath,
  };
}
