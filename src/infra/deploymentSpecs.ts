import { createHash } from "node:crypto";
import type { DeploymentPlan, DeploymentServes, EndpointCompute, FlowPlan } from "../plan/types";
import type { ServingEngine } from "../config/stackSettings";
import { WorkspaceRef, environmentVersionId, modelVersionId } from "./azureIds";
import { environmentName } from "./imageSpecs";

/** Where a deployment's model and environment come from. */
export type ServedAssets =
  /** This run's model version and image (candidate; also frozen, whose later changes are ignored). */
  | { kind: "build" }
  | {
      kind: "pinned";
      modelId: string;
      /** An environment registered by an earlier run, or a new one wrapping the pinned image reference. */
      environment: { kind: "existing"; id: string } | { kind: "image"; name: string; version: string; image: string };
    };

export function servedAssets(serves: DeploymentServes, flow: FlowPlan, ws: WorkspaceRef): ServedAssets {
  if (serves.kind !== "pinned") return { kind: "build" };
  const modelId = modelVersionId(ws, flow.model.name, serves.modelVersion);
  if (serves.image === undefined) {
    // Model and environment versions both derive from the flow's content hash, so the environment an earlier
    // run registered for that flow content carries the same version as its model.
    return { kind: "pinned", modelId, environment: { kind: "existing", id: environmentVersionId(ws, environmentName(flow), serves.modelVersion) } };
  }
  const version = `pinned-${createHash("sha256").update(serves.image).digest("hex").slice(0, 12)}`;
  return { kind: "pinned", modelId, environment: { kind: "image", name: environmentName(flow), version, image: serves.image } };
}

/**
 * Properties a frozen deployment ignores after creation: it keeps serving the build it was created with while
 * the candidate moves on. Pinned and candidate deployments follow their inputs.
 */
export function ignoredDeploymentChanges(deployment: DeploymentPlan, compute: EndpointCompute): string[] {
  const ignored = deployment.serves.kind === "frozen" ? ["properties.model", "properties.environmentId"] : [];
  // Azure Monitor autoscale owns a managed deployment's instance count once it exists; declaring it again would
  // undo every scale action. (Kubernetes deployments scale by their own scale settings, which are declared.)
  if (deployment.autoscale !== undefined && compute.kind === "managed") ignored.push("sku.capacity");
  return ignored;
}

/** The deployment's secret variables with their values; a variable without a value fails loudly (the plan checked it is set). */
export function secretEnvironment<S>(deployment: DeploymentPlan, secretValues: Record<string, S>): Record<string, S> {
  const result: Record<string, S> = {};
  for (const [name, variable] of Object.entries(deployment.secretEnvironmentVariables ?? {})) {
    const value = secretValues[variable];
    if (value === undefined) throw new Error(`deployment ${deployment.name}: no value for ${variable} (${name}); pass it in secretValues`);
    result[name] = value;
  }
  return result;
}

/**
 * What the deployment's model data collector records. Prompt flow's serving app logs `model_inputs` and
 * `model_outputs` itself through Azure ML's Python collector SDK; `llmops serve` is not Python, and for other
 * servers Azure documents payload logging: the collector records each HTTP request and response body (the flow's
 * inputs and outputs) with no code in the container, correlated by the request id the server echoes.
 */
function dataCollections(engine: ServingEngine): Record<string, { dataCollectionMode: "Enabled" }> {
  return engine === "llmops"
    ? { request: { dataCollectionMode: "Enabled" }, response: { dataCollectionMode: "Enabled" } }
    : { model_inputs: { dataCollectionMode: "Enabled" }, model_outputs: { dataCollectionMode: "Enabled" } };
}

/** What managed and Kubernetes deployments share (ARM `OnlineDeployment`). */
function commonDeploymentProperties<T, S>(
  deployment: DeploymentPlan,
  served: { model: T; environmentId: T },
  engine: ServingEngine,
  secretValues: Record<string, S>,
) {
  return {
    description: deployment.description,
    model: served.model,
    environmentId: served.environmentId,
    ...(deployment.vmSize !== undefined ? { instanceType: deployment.vmSize } : {}),
    requestSettings: {
      requestTimeout: deployment.request.timeout,
      maxConcurrentRequestsPerInstance: deployment.request.maxConcurrentRequestsPerInstance,
    },
    livenessProbe: { ...deployment.livenessProbe },
    readinessProbe: { ...deployment.readinessProbe },
    environmentVariables: { ...deployment.environmentVariables, ...secretEnvironment(deployment, secretValues) },
    appInsightsEnabled: deployment.appInsightsEnabled,
    ...(deployment.dataCollection
      ? {
          dataCollector: {
            collections: dataCollections(engine),
            rollingRate: "Hour",
          },
        }
      : {}),
  };
}

/**
 * The Kubernetes deployment's scale settings. Always declared: ARM defaults a Kubernetes deployment without them
 * to target-utilization scaling, which would not keep DEPLOYMENT_INSTANCE_COUNT; with AUTOSCALE they are the
 * cluster-side CPU autoscaler.
 */
function kubernetesScaleSettings(deployment: DeploymentPlan) {
  const autoscale = deployment.autoscale;
  if (autoscale === undefined) return { scaleType: "Default" as const };
  return {
    scaleType: "TargetUtilization" as const,
    minInstances: autoscale.minInstances,
    maxInstances: autoscale.maxInstances,
    targetUtilizationPercentage: autoscale.targetUtilizationPercentage,
  };
}

/**
 * The deployment's `properties` body for the endpoint's compute: ARM `ManagedOnlineDeployment` or
 * `KubernetesOnlineDeployment`. `engine`: what serves the flow in the image (decides the data collector's
 * collections); `secretValues`: values of the plan's secretEnvironmentVariables, by the variable holding them.
 */
export function onlineDeploymentProperties<T, S = string>(
  compute: EndpointCompute,
  deployment: DeploymentPlan,
  served: { model: T; environmentId: T },
  engine: ServingEngine,
  secretValues: Record<string, S> = {},
) {
  const common = commonDeploymentProperties(deployment, served, engine, secretValues);
  if (compute.kind === "managed") {
    // Managed deployments only accept Default; elastic scaling is an Azure Monitor autoscale setting.
    return { endpointComputeType: "Managed" as const, ...common, scaleSettings: { scaleType: "Default" as const } };
  }
  return {
    endpointComputeType: "Kubernetes" as const,
    ...common,
    scaleSettings: kubernetesScaleSettings(deployment),
    ...(deployment.containerResourceRequests !== undefined
      ? { containerResourceRequirements: { containerResourceRequests: { ...deployment.containerResourceRequests } } }
      : {}),
  };
}

export function deploymentSku(deployment: DeploymentPlan) {
  return { name: "Default", capacity: deployment.instanceCount };
}

/**
 * Pulumi names of an endpoint's resources. The managed endpoint keeps the names it always had ("endpoint",
 * the deployment names, "traffic"); the Kubernetes endpoint's are prefixed, so both fit in one stack without
 * two resources sharing a URN (URNs hold the parent types, not the parent names).
 */
export function endpointResourceName(compute: EndpointCompute, name: string): string {
  return compute.kind === "kubernetes" ? `kubernetes-${name}` : name;
}
