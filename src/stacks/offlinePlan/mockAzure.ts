import { createHash } from "node:crypto";
import { deterministicGuid } from "../../infra/deterministicGuid";
import { isRecord } from "../../core/values";

/**
 * Realistic responses for the resources and invokes the program uses, so an offline plan shows the IDs, digests,
 * principal IDs and URIs a real deployment would produce. Pure functions of (type, name, inputs, context):
 * the same program always gets the same answers.
 */
export interface MockContext {
  subscriptionId: string;
  location: string;
  tenantId: string;
  /**
   * Online endpoints that already exist, by endpoint name, with the split they serve (or the error reading them
   * gives). Absent: the endpoint is not found, as on a first deployment.
   */
  onlineEndpoints?: Record<string, MockOnlineEndpoint>;
  /**
   * The workspace's computes by name, with their compute type. Absent: every name is an attached Kubernetes compute
   * (the offline plan cannot know the workspace; `pulumi up` looks the real one up).
   */
  computes?: Record<string, { computeType: string }>;
}

export type MockOnlineEndpoint =
  | { traffic: Record<string, number>; mirrorTraffic?: Record<string, number> }
  /** The invoke fails with this ARM status and message, e.g. 403 for a missing role. */
  | { failure: { status: number; code: string; message: string } };

/**
 * A failed invoke as the engine reports it to the program: the Node SDK turns the RPC error's `details` into
 * `new Error(details)`, so a mock must put its message there (a plain Error would arrive with an empty message).
 */
export class MockInvokeError extends Error {
  readonly details: string;
  readonly code = 2; // gRPC UNKNOWN, as for a provider error
  constructor(message: string) {
    super(message);
    this.details = message;
  }
}

/** The message azure-native's ARM client gives a failed GET, wrapped as the engine wraps invoke errors. */
export function armInvokeFailure(token: string, resourceId: string, status: number, code: string, message: string): MockInvokeError {
  return new MockInvokeError(`invocation of ${token} returned an error: request failed ${resourceId}: Status=${status} Code="${code}" Message="${message}"`);
}

export interface MockResult {
  id: string | undefined;
  state: Record<string, unknown>;
}

/** Fake admin password the registry invoke returns offline; tests assert it never reaches a report. */
export const mockRegistryPassword = "offline-plan-registry-password";

/** Placeholder ACR refresh token the offline plan logs in with ("entra" login); never reaches a report either. */
export const mockRegistryToken = "offline-plan-acr-refresh-token";

export function mockResource(type: string, name: string, inputs: Record<string, unknown>, ctx: MockContext, custom: boolean): MockResult {
  if (!custom) return { id: undefined, state: {} };
  const text = (key: string): string => {
    const value = inputs[key];
    return typeof value === "string" ? value : name;
  };
  const group = (rg: string) => `/subscriptions/${ctx.subscriptionId}/resourceGroups/${rg}`;
  const workspace = () => `${group(text("resourceGroupName"))}/providers/Microsoft.MachineLearningServices/workspaces/${text("workspaceName")}`;
  const principal = (id: string) => ({ principalId: deterministicGuid("principal", id), tenantId: ctx.tenantId });

  switch (type) {
    case "azure-native:machinelearningservices:OnlineEndpoint": {
      const endpointName = text("endpointName");
      const id = `${workspace()}/onlineEndpoints/${endpointName}`;
      const identity = { ...record(inputs.identity), ...principal(id) };
      const properties = {
        ...record(inputs.properties),
        scoringUri: `https://${endpointName}.${ctx.location}.inference.ml.azure.com/score`,
        swaggerUri: `https://${endpointName}.${ctx.location}.inference.ml.azure.com/swagger.json`,
        provisioningState: "Succeeded",
      };
      return { id, state: { ...inputs, name: endpointName, identity, properties } };
    }
    case "azure-native:machinelearningservices:OnlineDeployment": {
      const id = `${workspace()}/onlineEndpoints/${text("endpointName")}/deployments/${text("deploymentName")}`;
      return { id, state: { ...inputs, name: text("deploymentName") } };
    }
    case "azure-native:machinelearningservices:ModelVersion":
      return { id: `${workspace()}/models/${text("name")}/versions/${text("version")}`, state: { ...inputs } };
    case "azure-native:machinelearningservices:EnvironmentVersion":
      return { id: `${workspace()}/environments/${text("name")}/versions/${text("version")}`, state: { ...inputs } };
    case "azure-native:machinelearningservices:Compute": {
      const id = `${workspace()}/computes/${text("computeName")}`;
      return { id, state: { ...inputs, name: text("computeName"), properties: { ...record(inputs.properties), provisioningState: "Succeeded" } } };
    }
    case "azure-native:machinelearningservices:DataVersion":
      return { id: `${workspace()}/data/${text("name")}/versions/${text("version")}`, state: { ...inputs } };
    case "azure-native:storage:Blob": {
      const account = text("accountName");
      const id = `${group(text("resourceGroupName"))}/providers/Microsoft.Storage/storageAccounts/${account}/blobServices/default/containers/${text("containerName")}/blobs/${text("blobName")}`;
      return { id, state: { ...inputs, url: `https://${account}.blob.core.windows.net/${text("containerName")}/${text("blobName")}` } };
    }
    case "azure-native:authorization:RoleAssignment":
      return { id: `${text("scope")}/providers/Microsoft.Authorization/roleAssignments/${text("roleAssignmentName")}`, state: { ...inputs } };
    case "azure-native:keyvault:AccessPolicy": {
      const objectId = typeof record(inputs.policy).objectId === "string" ? String(record(inputs.policy).objectId) : name;
      return { id: `${group(text("resourceGroupName"))}/providers/Microsoft.KeyVault/vaults/${text("vaultName")}/accessPolicies/${objectId}`, state: { ...inputs } };
    }
    case "azure-native:monitor:AutoscaleSetting":
      return { id: `${group(text("resourceGroupName"))}/providers/Microsoft.Insights/autoscalesettings/${text("autoscaleSettingName")}`, state: { ...inputs } };
    case "azure-native:managedidentity:UserAssignedIdentity": {
      const id = `${group(text("resourceGroupName"))}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${text("resourceName")}`;
      return { id, state: { ...inputs, name: text("resourceName"), clientId: deterministicGuid("client", id), ...principal(id) } };
    }
    case "azure-native:web:AppServicePlan":
      return { id: `${group(text("resourceGroupName"))}/providers/Microsoft.Web/serverfarms/${text("name")}`, state: { ...inputs } };
    case "azure-native:web:WebApp":
      return {
        id: `${group(text("resourceGroupName"))}/providers/Microsoft.Web/sites/${text("name")}`,
        state: { ...inputs, defaultHostName: `${text("name")}.azurewebsites.net` },
      };
    case "docker:index/image:Image": {
      const imageName = text("imageName");
      const repository = imageName.replace(/:[^:/]+$/, "");
      const digest = createHash("sha256").update(imageName).digest("hex");
      return { id: `${repository}@sha256:${digest}`, state: { ...inputs, repoDigest: `${repository}@sha256:${digest}` } };
    }
    default:
      if (type.startsWith("pulumi-nodejs:dynamic")) {
        // EndpointTraffic reports back the split it applied.
        return { id: `${type}:${name}`, state: { ...inputs } };
      }
      return { id: `${name}-id`, state: { ...inputs } };
  }
}

/**
 * The values in a mock answer that Azure or Docker would assign and that look real (principal and client IDs,
 * image digests, the datastore's container GUID): the report lists them so `llmops plan` labels them as mock.
 */
export function madeUpValues(answer: Record<string, unknown>): string[] {
  const values: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value !== "object" || value === null) return;
    for (const [key, item] of Object.entries(value)) {
      if ((key === "principalId" || key === "clientId") && typeof item === "string") values.push(item);
      else if (key === "repoDigest" && typeof item === "string") values.push(item.replace(/^.*@/, ""));
      else if (key === "containerName" && typeof item === "string" && item.startsWith("azureml-blobstore-")) values.push(item);
      else if (key === "identity" || key === "properties") collect(item);
    }
  };
  collect(answer);
  return values;
}

export function mockInvoke(token: string, inputs: Record<string, unknown>, ctx: MockContext): Record<string, unknown> {
  const text = (key: string): string => (typeof inputs[key] === "string" ? String(inputs[key]) : "");
  switch (token) {
    case "azure-native:machinelearningservices:getDatastore": {
      const workspaceName = text("workspaceName");
      const accountName = `st${workspaceName.replace(/[^a-z0-9]/gi, "").toLowerCase()}`.slice(0, 24);
      return {
        id: `/subscriptions/${ctx.subscriptionId}/resourceGroups/${text("resourceGroupName")}/providers/Microsoft.MachineLearningServices/workspaces/${workspaceName}/datastores/${text("name")}`,
        name: text("name"),
        properties: {
          datastoreType: "AzureBlob",
          accountName,
          containerName: `azureml-blobstore-${deterministicGuid("container", workspaceName)}`,
          isDefault: true,
          credentials: { credentialsType: "AccountKey" },
          endpoint: "core.windows.net",
          protocol: "https",
          resourceGroup: text("resourceGroupName"),
          subscriptionId: ctx.subscriptionId,
        },
      };
    }
    case "azure-native:machinelearningservices:getOnlineEndpoint": {
      const endpointName = text("endpointName");
      const id = `/subscriptions/${ctx.subscriptionId}/resourceGroups/${text("resourceGroupName")}/providers/Microsoft.MachineLearningServices/workspaces/${text("workspaceName")}/onlineEndpoints/${endpointName}`;
      const live = ctx.onlineEndpoints?.[endpointName];
      if (live === undefined) {
        throw armInvokeFailure(token, id, 404, "ResourceNotFound", `The Resource '${endpointName}' was not found.`);
      }
      if ("failure" in live) throw armInvokeFailure(token, id, live.failure.status, live.failure.code, live.failure.message);
      return {
        id,
        name: endpointName,
        location: ctx.location,
        azureApiVersion: "2025-12-01",
        properties: {
          authMode: "Key",
          provisioningState: "Succeeded",
          scoringUri: `https://${endpointName}.${ctx.location}.inference.ml.azure.com/score`,
          traffic: live.traffic,
          mirrorTraffic: live.mirrorTraffic ?? {},
        },
      };
    }
    case "azure-native:machinelearningservices:getCompute": {
      const computeName = text("computeName");
      const id = `/subscriptions/${ctx.subscriptionId}/resourceGroups/${text("resourceGroupName")}/providers/Microsoft.MachineLearningServices/workspaces/${text("workspaceName")}/computes/${computeName}`;
      const computeType = ctx.computes === undefined ? "Kubernetes" : ctx.computes[computeName]?.computeType;
      if (computeType === undefined) throw armInvokeFailure(token, id, 404, "ResourceNotFound", `The Resource '${computeName}' was not found.`);
      return {
        id,
        name: computeName,
        type: "Microsoft.MachineLearningServices/workspaces/computes",
        location: ctx.location,
        azureApiVersion: "2025-12-01",
        properties: {
          computeType,
          isAttachedCompute: computeType === "Kubernetes",
          provisioningState: "Succeeded",
          ...(computeType === "Kubernetes" ? { properties: { namespace: "default", defaultInstanceType: "defaultinstancetype" } } : {}),
        },
      };
    }
    case "azure-native:containerregistry:listRegistryCredentials":
      return { username: text("registryName"), passwords: [{ name: "password", value: mockRegistryPassword }] };
    default:
      throw new MockInvokeError(`offline plan: no mock answer for invoke '${token}'`);
  }
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}
