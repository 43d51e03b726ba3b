import { strict as assert } from "node:assert";
import * as path from "node:path";
import { resolveRoleScope, roleAssignmentSpec } from "../../src/infra/accessSpecs";
import { cpuAutoscaleProfile } from "../../src/infra/autoscaleSpecs";
import { datastorePathUri } from "../../src/infra/azureIds";
import { deploymentSku, ignoredDeploymentChanges, onlineDeploymentProperties, servedAssets } from "../../src/infra/deploymentSpecs";
import { deterministicGuid } from "../../src/infra/deterministicGuid";
import { blobStorageOf } from "../../src/infra/flowModel";
import { supportsAlwaysOn } from "../../src/infra/flowWebApp";
import { contentTypeOf, flowBlobSpecs, flowModelVersionProperties } from "../../src/infra/flowAssetSpecs";
import { dockerfilePath, linuxFxVersion } from "../../src/infra/imageSpecs";
import { llmopsConfig } from "../../src/config/stackConfigFile";
import { keyVaultReference, webAppSettings } from "../../src/infra/webAppSpecs";
import { makeFlowFolder, makePlan, subscriptionId } from "./fixtures/infraPlans";

describe("infra: pure specs", () => {
  const flowDir = makeFlowFolder();

  describe("deterministicGuid", () => {
    it("is an RFC 4122 version 5 GUID, the same for the same parts", () => {
      const guid = deterministicGuid("/subscriptions/x/resourceGroups/rg", "principal", "role");
      assert.match(guid, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(deterministicGuid("/subscriptions/x/resourceGroups/rg", "principal", "role"), guid);
    });

    it("changes with any part and ignores ARM's case-insensitivity", () => {
      const base = deterministicGuid("scope", "principal", "role");
      assert.notEqual(deterministicGuid("scope", "other-principal", "role"), base);
      assert.notEqual(deterministicGuid("scope", "principal", "other-role"), base);
      assert.notEqual(deterministicGuid("scopeprincipal", "role"), base, "parts are not simply concatenated");
      assert.equal(deterministicGuid("SCOPE", "Principal", "ROLE"), base);
    });
  });

  describe("role assignments", () => {
    it("uses ServicePrincipal and a subscription-level role definition ID", () => {
      const spec = roleAssignmentSpec(subscriptionId, "/subscriptions/s/resourceGroups/rg", "0000-principal", "7f951dda-4ed3-4680-a7ca-43fe172d538d");
      assert.equal(spec.principalType, "ServicePrincipal");
      assert.equal(spec.roleDefinitionId, `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d`);
      assert.equal(spec.roleAssignmentName, deterministicGuid("/subscriptions/s/resourceGroups/rg", "0000-principal", "7f951dda-4ed3-4680-a7ca-43fe172d538d"));
    });

    it("gives a recreated identity (new principal) a new assignment name, so create-before-delete cannot collide", () => {
      const a = roleAssignmentSpec(subscriptionId, "/scope", "principal-1", "role");
      const b = roleAssignmentSpec(subscriptionId, "/scope", "principal-2", "role");
      assert.notEqual(a.roleAssignmentName, b.roleAssignmentName);
    });

    it("resolves the workspaceStorage scope to the datastore's account", () => {
      assert.equal(resolveRoleScope({ kind: "workspaceStorage" }, "/storage/id"), "/storage/id");
      assert.equal(resolveRoleScope({ kind: "resource", id: "/vault/id" }, "/storage/id"), "/vault/id");
    });
  });

  describe("deployments", () => {
    const plan = makePlan("ab", flowDir, "prod");
    const [green, blue] = plan.endpoint!.deployments;
    const ws = { subscriptionId, resourceGroupName: "rg-llmops-test", workspaceName: "mlw-tickets-test" };
    const managed = { kind: "managed" } as const;
    const kubernetes = { kind: "kubernetes", computeName: "aks-prod" } as const;

    it("serves this run's build for candidate and frozen deployments", () => {
      assert.deepEqual(servedAssets({ kind: "candidate" }, plan.flow, ws), { kind: "build" });
      assert.deepEqual(servedAssets({ kind: "frozen" }, plan.flow, ws), { kind: "build" });
    });

    it("serves a pinned version without image on the environment registered with that version", () => {
      const served = servedAssets({ kind: "pinned", modelVersion: "aaaabbbbcccc" }, plan.flow, ws);
      assert.equal(served.kind, "pinned");
      if (served.kind !== "pinned") return;
      assert.match(served.modelId, /\/models\/ticket_flow_prod\/versions\/aaaabbbbcccc$/);
      assert.deepEqual(served.environment, {
        kind: "existing",
        id: `/subscriptions/${subscriptionId}/resourceGroups/rg-llmops-test/providers/Microsoft.MachineLearningServices/workspaces/mlw-tickets-test/environments/ticket_flow_prod-serving/versions/aaaabbbbcccc`,
      });
    });

    it("ignores model/environment changes only on frozen deployments, and capacity under autoscale", () => {
      assert.deepEqual(ignoredDeploymentChanges(blue, managed), ["properties.model", "properties.environmentId"]);
      assert.deepEqual(ignoredDeploymentChanges(green, managed), ["sku.capacity"]);
      assert.deepEqual(ignoredDeploymentChanges({ ...green, autoscale: undefined }, managed), []);
      // Kubernetes scale settings are declared inputs, not an outside autoscaler's: capacity is never ignored there.
      assert.deepEqual(ignoredDeploymentChanges(green, kubernetes), []);
      assert.deepEqual(ignoredDeploymentChanges(blue, kubernetes), ["properties.model", "properties.environmentId"]);
    });

    it("builds the managed deployment body with Default scale settings and the instance count in the SKU", () => {
      const body = onlineDeploymentProperties(managed, green, { model: "m", environmentId: "e" }, "llmops");
      assert.equal(body.endpointComputeType, "Managed");
      assert.deepEqual(body.scaleSettings, { scaleType: "Default" });
      assert.equal(body.model, "m");
      assert.equal(body.environmentId, "e");
      assert.deepEqual(body.requestSettings, { requestTimeout: "PT3M", maxConcurrentRequestsPerInstance: 2 });
      assert.deepEqual(deploymentSku(green), { name: "Default", capacity: 2 });
      // llmops serve is not Python: Azure's payload logging collects the request and response bodies.
      assert.deepEqual(body.dataCollector?.collections, { request: { dataCollectionMode: "Enabled" }, response: { dataCollectionMode: "Enabled" } });
      const promptflow = onlineDeploymentProperties(managed, green, { model: "m", environmentId: "e" }, "promptflow");
      assert.deepEqual(promptflow.dataCollector?.collections, { model_inputs: { dataCollectionMode: "Enabled" }, model_outputs: { dataCollectionMode: "Enabled" } });
      assert.ok(!("dataCollector" in onlineDeploymentProperties(managed, blue, { model: "m", environmentId: "e" }, "llmops")));
    });

    it("builds the Kubernetes deployment body with container requests, fixed scale by default and target utilization under AUTOSCALE", () => {
      const fixed = onlineDeploymentProperties(kubernetes, { ...blue, vmSize: "gpuinstance", containerResourceRequests: { cpu: "500m", memory: "1Gi" } }, { model: "m", environmentId: "e" }, "llmops");
      assert.equal(fixed.endpointComputeType, "Kubernetes");
      assert.equal(fixed.instanceType, "gpuinstance");
      assert.deepEqual(fixed.scaleSettings, { scaleType: "Default" });
      assert.deepEqual("containerResourceRequirements" in fixed ? fixed.containerResourceRequirements : undefined, { containerResourceRequests: { cpu: "500m", memory: "1Gi" } });
      const scaled = onlineDeploymentProperties(kubernetes, green, { model: "m", environmentId: "e" }, "llmops");
      assert.deepEqual(scaled.scaleSettings, { scaleType: "TargetUtilization", minInstances: 2, maxInstances: 4, targetUtilizationPercentage: 70 });
      assert.ok(!("containerResourceRequirements" in scaled), "no requests declared without CPU_ALLOCATION/MEMORY_ALLOCATION");
      const defaultInstanceType = onlineDeploymentProperties(kubernetes, { ...blue, vmSize: undefined }, { model: "m", environmentId: "e" }, "llmops");
      assert.ok(!("instanceType" in defaultInstanceType), "the compute's default instance type when DEPLOYMENT_VM_SIZE is empty");
    });

    it("scales out above the target and in below half of it, within min and max", () => {
      const profile = cpuAutoscaleProfile({ minInstances: 1, maxInstances: 6, targetUtilizationPercentage: 75 }, 2, "/deployment/id");
      assert.deepEqual(profile.capacity, { minimum: "1", maximum: "6", default: "2" });
      assert.deepEqual(profile.rules.map((r) => [r.metricTrigger.operator, r.metricTrigger.threshold, r.scaleAction.direction]), [
        ["GreaterThan", 75, "Increase"],
        ["LessThan", 37, "Decrease"],
      ]);
      assert.ok(profile.rules.every((r) => r.metricTrigger.metricResourceUri === "/deployment/id"));
      assert.ok(profile.rules.every((r) => /^PT\d+M$/.test(r.metricTrigger.timeWindow) && /^PT\d+M$/.test(r.scaleAction.cooldown)));
    });
  });

  describe("flow assets", () => {
    it("uploads each flow file under the content-addressed datastore path", () => {
      const plan = makePlan("single", flowDir);
      const specs = flowBlobSpecs(plan.flow);
      assert.deepEqual(specs.map((s) => s.blobName), plan.flow.files.map((f) => `${plan.flow.model.datastorePath}/${f.relativePath}`));
      assert.deepEqual(specs.map((s) => s.sourcePath), plan.flow.files.map((f) => f.absolutePath));
      assert.equal(contentTypeOf("flow.dag.yaml"), "application/x-yaml");
      assert.equal(contentTypeOf("x.bin"), "application/octet-stream");
    });

    it("marks the model version as a prompt flow the way the studio's endpoint Test tab looks for it", () => {
      const plan = makePlan("single", flowDir);
      const ws = { subscriptionId, resourceGroupName: "rg", workspaceName: "ws" };
      const properties = flowModelVersionProperties(plan.flow, ws, {});
      // Azure ML studio recognises a flow served from an endpoint by this property (az ml / SDK docs for flow models).
      assert.equal(properties.properties["azureml.promptflow.source_flow_id"], plan.flow.name);
      assert.equal(properties.modelType, "custom_model");
      assert.match(properties.modelUri, /^azureml:\/\/subscriptions\/[^/]+\/resourcegroups\/rg\/workspaces\/ws\/datastores\/workspaceblobstore\/paths\/LocalUpload\/[0-9a-f]{64}\/[^/]+$/);
    });

    it("writes azureml:// datastore URIs", () => {
      assert.equal(
        datastorePathUri({ subscriptionId: "s", resourceGroupName: "rg", workspaceName: "ws" }, "workspaceblobstore", "LocalUpload/h/flow"),
        "azureml://subscriptions/s/resourcegroups/rg/workspaces/ws/datastores/workspaceblobstore/paths/LocalUpload/h/flow",
      );
    });

    it("reads the blob account from the datastore, and refuses a datastore that is not blob storage", () => {
      const plan = makePlan("single", flowDir);
      const storage = blobStorageOf({ datastoreType: "AzureBlob", accountName: "acct", containerName: "cont", resourceGroup: "rg-storage" }, plan);
      assert.deepEqual(storage, {
        accountName: "acct",
        containerName: "cont",
        resourceGroupName: "rg-storage",
        accountId: `/subscriptions/${subscriptionId}/resourceGroups/rg-storage/providers/Microsoft.Storage/storageAccounts/acct`,
      });
      assert.throws(() => blobStorageOf({ datastoreType: "AzureFile", accountName: "a" }, plan), /workspaceblobstore.*not an Azure Blob datastore/);
    });
  });

  describe("image", () => {
    it("writes the Dockerfile to a path keyed by its text, outside the flow folder", () => {
      const plan = makePlan("single", flowDir);
      const a = dockerfilePath(plan.image, "/tmp/root");
      assert.equal(a, dockerfilePath({ ...plan.image }, "/tmp/root"));
      assert.notEqual(a, dockerfilePath({ ...plan.image, dockerfile: plan.image.dockerfile + "\n# changed" }, "/tmp/root"));
      assert.ok(!a.startsWith(flowDir));
      assert.equal(path.basename(a), "Dockerfile");
    });

    it("runs the Web App on a digest and refuses a moving tag", () => {
      const digest = `cr.azurecr.io/llmops/flow@sha256:${"0".repeat(64)}`;
      assert.equal(linuxFxVersion(digest), `DOCKER|${digest}`);
      assert.throws(() => linuxFxVersion("cr.azurecr.io/llmops/flow:latest"), /by digest/);
    });
  });

  describe("Web App settings", () => {
    it("puts connection secrets in as Key Vault references, sorted, with the serving settings", () => {
      const plan = makePlan("single", flowDir);
      const settings = webAppSettings(plan.webApp!, "kv-tickets-test");
      assert.deepEqual(settings.map((s) => s.name), ["AOAI_API_KEY", "LOG_LEVEL", "PROMPTFLOW_RUN_MODE", "WEBSITES_PORT"]);
      assert.equal(settings[0].value, keyVaultReference("kv-tickets-test", "aoai-api-key"));
      assert.equal(settings[0].value, "@Microsoft.KeyVault(SecretUri=https://kv-tickets-test.vault.azure.net/secrets/aoai-api-key)");
    });

    it("cannot be overridden into a plain secret value", () => {
      const plan = makePlan("single", flowDir);
      const webApp = { ...plan.webApp!, appSettings: { AOAI_API_KEY: "sk-plain-text", WEBSITES_PORT: "80" } };
      const settings = new Map(webAppSettings(webApp, "kv").map((s) => [s.name, s.value]));
      assert.match(settings.get("AOAI_API_KEY") ?? "", /^@Microsoft\.KeyVault\(/);
      assert.equal(settings.get("WEBSITES_PORT"), "8080");
    });

    it("names the app's user-assigned identity in AZURE_CLIENT_ID, over any configured value", () => {
      const plan = makePlan("single", flowDir);
      const webApp = { ...plan.webApp!, appSettings: { ...plan.webApp!.appSettings, AZURE_CLIENT_ID: "someone-else" } };
      const settings = webAppSettings(webApp, "kv", "83aa0d96-d336-5e60-9311-6d20791f14d6");
      assert.deepEqual(settings.map((s) => s.name), ["AOAI_API_KEY", "AZURE_CLIENT_ID", "LOG_LEVEL", "PROMPTFLOW_RUN_MODE", "WEBSITES_PORT"]);
      assert.equal(settings[1].value, "83aa0d96-d336-5e60-9311-6d20791f14d6");
    });

    it("turns alwaysOn off only on plans that cannot keep an app loaded", () => {
      assert.equal(supportsAlwaysOn("Basic"), true);
      assert.equal(supportsAlwaysOn("PremiumV3"), true);
      assert.equal(supportsAlwaysOn("Free"), false);
      assert.equal(supportsAlwaysOn("shared"), false);
    });
  });

  describe("program config", () => {
    it("keeps llmops: keys without their namespace and drops other providers' keys", () => {
      assert.deepEqual(llmopsConfig({ "llmops:environment": "dev", "azure-native:location": "westeurope", "llmops:keyVault": "{\"name\":\"kv\"}" }), {
        environment: "dev",
        keyVault: "{\"name\":\"kv\"}",
      });
    });
  });
});
