import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { mockRegistryPassword } from "../../src/stacks/offlinePlan/mockAzure";
import type { OfflinePlanReport } from "../../src/stacks/offlinePlan/types";
import type { InfraPlan } from "../../src/plan/types";
import { makeFlowFolder, makePlan, subscriptionId } from "./fixtures/infraPlans";
import { input, ofType, one, recordGraph, types } from "./fixtures/graph";

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const isoDuration = /^P(T(\d+H)?(\d+M)?(\d+S)?)$/;

describe("infra: stack graph under mocks", function () {
  this.timeout(120_000);

  describe("single deployment + Web App", () => {
    let plan: InfraPlan;
    let report: OfflinePlanReport;
    let dockerfileRoot: string;
    before(async () => {
      plan = makePlan("single", makeFlowFolder());
      ({ report, dockerfileRoot } = await recordGraph(plan));
    });

    it("declares a new endpoint with a system-assigned identity and the empty live split, leaving the plan's to EndpointTraffic", () => {
      const endpoint = one(report, types.endpoint);
      assert.equal(input(endpoint, "endpointName"), "tickets-test");
      assert.deepEqual(input(endpoint, "identity"), { type: "SystemAssigned" });
      assert.equal(input(endpoint, "properties.authMode"), "Key");
      // Not found by the getOnlineEndpoint invoke (first deployment): nothing is live, nothing is routed yet.
      assert.deepEqual(input(endpoint, "properties.traffic"), {});
      assert.deepEqual(input(endpoint, "properties.mirrorTraffic"), {});
      assert.deepEqual(endpoint.options.ignoreChanges, []);
    });

    it("declares a managed deployment with ARM's property shapes", () => {
      const deployment = one(report, types.deployment, "blue");
      assert.equal(input(deployment, "deploymentName"), "blue");
      assert.equal(input(deployment, "properties.endpointComputeType"), "Managed");
      assert.deepEqual(input(deployment, "sku"), { name: "Default", capacity: 1 });
      assert.deepEqual(input(deployment, "properties.scaleSettings"), { scaleType: "Default" });
      assert.equal(input(deployment, "properties.instanceType"), "Standard_DS3_v2");
      assert.equal(input(deployment, "properties.requestSettings.requestTimeout"), "PT3M");
      for (const probe of ["livenessProbe", "readinessProbe"]) {
        for (const field of ["initialDelay", "period", "timeout"]) {
          assert.match(String(input(deployment, `properties.${probe}.${field}`)), isoDuration, `${probe}.${field}`);
        }
      }
      assert.equal(input(deployment, "properties.appInsightsEnabled"), true);
      assert.equal(input(deployment, "properties.dataCollector"), undefined);
      assert.equal(input(deployment, "properties.model"), report.outputs.modelId);
      assert.equal(input(deployment, "properties.environmentId"), report.outputs.environmentId);
      assert.deepEqual(deployment.options.ignoreChanges, []);
    });

    it("creates deployments only after the endpoint and the endpoint identity's grants", () => {
      const deployment = one(report, types.deployment, "blue");
      const endpointGrants = ofType(report, types.roleAssignment).filter((r) => r.name.startsWith("endpoint-")).map((r) => r.name);
      assert.ok(endpointGrants.length >= 3);
      for (const name of ["endpoint", ...endpointGrants]) assert.ok(deployment.options.dependsOn.includes(name), name);
    });

    it("sets traffic through EndpointTraffic after every deployment", () => {
      const traffic = one(report, types.traffic);
      assert.deepEqual(input(traffic, "traffic"), { blue: 100 });
      assert.deepEqual(input(traffic, "mirrorTraffic"), {});
      assert.equal(input(traffic, "subscriptionId"), subscriptionId);
      assert.equal(input(traffic, "endpointName"), "tickets-test");
      assert.deepEqual(traffic.options.dependsOn, ofType(report, types.deployment).map((d) => d.name));
      assert.deepEqual(report.outputs.traffic, { blue: 100 });
    });

    it("registers the flow as a retained, content-versioned prompt flow model from uploaded blobs", () => {
      const model = one(report, types.modelVersion);
      assert.equal(input(model, "name"), "ticket_flow_dev");
      assert.equal(input(model, "version"), plan.flow.model.version);
      assert.equal(
        input(model, "properties.modelUri"),
        `azureml://subscriptions/${subscriptionId}/resourcegroups/rg-llmops-test/workspaces/mlw-tickets-test/datastores/workspaceblobstore/paths/LocalUpload/${plan.flow.contentHash}/ticket_flow`,
      );
      assert.equal(input(model, "properties.properties.is-promptflow"), "true");
      assert.equal(model.options.retainOnDelete, true);
      const blobs = ofType(report, types.blob);
      const flowBlobs = blobs.filter((b) => String(input(b, "blobName")).startsWith(plan.flow.model.datastorePath + "/"));
      assert.deepEqual(flowBlobs.map((b) => input(b, "blobName")), plan.flow.files.map((f) => `${plan.flow.model.datastorePath}/${f.relativePath}`));
      for (const blob of blobs) {
        assert.equal(blob.options.retainOnDelete, true);
        assert.equal(input(blob, "accountName"), "stmlwticketstest", "account from the getDatastore invoke");
        assert.match(String(input(blob, "containerName")), /^azureml-blobstore-/);
      }
      assert.deepEqual([...model.options.dependsOn].sort(), flowBlobs.map((b) => b.name).sort());
    });

    it("registers datasets as uri_file data versions", () => {
      const data = one(report, types.dataVersion);
      assert.equal(input(data, "name"), "eval");
      assert.equal(input(data, "properties.dataType"), "uri_file");
      assert.match(String(input(data, "properties.dataUri")), /^azureml:\/\/subscriptions\/.+\/datastores\/workspaceblobstore\/paths\/LocalUpload\/[0-9a-f]{64}\/eval\.jsonl$/);
    });

    it("builds the image for linux/amd64 from the generated Dockerfile and pushes it with secret credentials", () => {
      const image = one(report, types.image);
      assert.equal(input(image, "imageName"), `crticketstest.azurecr.io/llmops/ticket-flow:${plan.image.tag}`);
      assert.equal(input(image, "build.platform"), "linux/amd64");
      assert.equal(input(image, "build.context"), plan.image.contextDir);
      const dockerfile = String(input(image, "build.dockerfile"));
      assert.ok(dockerfile.startsWith(dockerfileRoot));
      assert.equal(fs.readFileSync(dockerfile, "utf8"), plan.image.dockerfile);
      assert.equal(input(image, "registry"), "[secret]");
    });

    it("wraps the pushed digest in an environment version with the serving routes", () => {
      const environment = one(report, types.environmentVersion);
      assert.match(String(report.outputs.imageRepoDigest), /^crticketstest\.azurecr\.io\/llmops\/ticket-flow@sha256:[0-9a-f]{64}$/);
      assert.equal(input(environment, "properties.image"), report.outputs.imageRepoDigest);
      assert.deepEqual(input(environment, "properties.inferenceConfig"), {
        livenessRoute: { path: "/health", port: 8080 },
        readinessRoute: { path: "/health", port: 8080 },
        scoringRoute: { path: "/score", port: 8080 },
      });
      assert.equal(environment.options.retainOnDelete, true);
    });

    it("grants roles to service principals with deterministic GUID names and full role definition IDs", () => {
      const assignments = ofType(report, types.roleAssignment);
      assert.equal(assignments.length, plan.roleAssignments.length);
      for (const assignment of assignments) {
        assert.equal(input(assignment, "principalType"), "ServicePrincipal");
        assert.match(String(input(assignment, "roleAssignmentName")), guidPattern);
        assert.match(String(input(assignment, "roleDefinitionId")), new RegExp(`^/subscriptions/${subscriptionId}/providers/Microsoft\\.Authorization/roleDefinitions/[0-9a-f-]{36}$`));
      }
      const storage = one(report, types.roleAssignment, "endpoint-storage-blob-data-reader-storage");
      assert.equal(input(storage, "scope"), `/subscriptions/${subscriptionId}/resourceGroups/rg-llmops-test/providers/Microsoft.Storage/storageAccounts/stmlwticketstest`);
      assert.equal(input(storage, "principalId"), report.outputs.endpointPrincipalId);
      const acrPull = one(report, types.roleAssignment, "webapp-acrpull-registry");
      assert.equal(input(acrPull, "principalId"), report.outputs.webAppPrincipalId);
    });

    it("runs the Web App on the image by digest with identity-based pulls and Key Vault references", () => {
      const app = one(report, types.webApp);
      const identityId = `/subscriptions/${subscriptionId}/resourceGroups/rg-llmops-test/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-tickets-test`;
      assert.equal(input(app, "siteConfig.linuxFxVersion"), `DOCKER|${String(report.outputs.imageRepoDigest)}`);
      assert.equal(input(app, "siteConfig.acrUseManagedIdentityCreds"), true);
      assert.equal(input(app, "siteConfig.acrUserManagedIdentityID"), report.outputs.webAppClientId);
      assert.equal(input(app, "keyVaultReferenceIdentity"), identityId);
      assert.deepEqual(input(app, "identity"), { type: "UserAssigned", userAssignedIdentities: [identityId] });
      assert.equal(input(app, "httpsOnly"), true);
      assert.equal(input(app, "siteConfig.ftpsState"), "Disabled");
      assert.equal(input(app, "siteConfig.minTlsVersion"), "1.2");
      assert.equal(input(app, "siteConfig.alwaysOn"), true);
      assert.equal(input(app, "siteConfig.healthCheckPath"), "/health");
      const settings = new Map((input(app, "siteConfig.appSettings") as { name: string; value: string }[]).map((s) => [s.name, s.value]));
      assert.equal(settings.get("WEBSITES_PORT"), "8080");
      assert.equal(settings.get("PROMPTFLOW_RUN_MODE"), "serving");
      assert.equal(settings.get("LOG_LEVEL"), "info");
      assert.equal(settings.get("AOAI_API_KEY"), "@Microsoft.KeyVault(SecretUri=https://kv-tickets-test.vault.azure.net/secrets/aoai-api-key)");
      // An app with only a user-assigned identity gets no token unless the client names it (Entra ID / meid_token
      // connections, Cognitive Services OpenAI User): azure-identity reads the client ID from AZURE_CLIENT_ID.
      assert.equal(settings.get("AZURE_CLIENT_ID"), report.outputs.webAppClientId);
      const names = (input(app, "siteConfig.appSettings") as { name: string }[]).map((s) => s.name);
      assert.deepEqual(names, [...names].sort(), "sorted, so the list never shows a spurious diff");
      assert.deepEqual([...app.options.dependsOn].sort(), ["webapp-acrpull-registry", "webapp-key-vault-secrets-user-key-vault"]);
      const servicePlan = one(report, types.appServicePlan);
      assert.equal(input(servicePlan, "kind"), "Linux");
      assert.equal(input(servicePlan, "reserved"), true);
      assert.deepEqual(input(servicePlan, "sku"), { name: "B1", tier: "Basic" });
    });

    it("exports the scoring URI, names, references and identities, and no secret", () => {
      assert.equal(report.outputs.scoringUri, "https://tickets-test.westeurope.inference.ml.azure.com/score");
      assert.equal(report.outputs.endpointName, "tickets-test");
      assert.deepEqual(report.outputs.deploymentNames, ["blue"]);
      assert.equal(report.outputs.webAppUrl, "https://app-tickets-test.azurewebsites.net");
      assert.match(String(report.outputs.endpointPrincipalId), guidPattern);
      assert.equal(report.outputs.modelVersion, plan.flow.model.version);
      const everything = JSON.stringify(report);
      assert.ok(!everything.includes(mockRegistryPassword), "the registry password never appears in the report");
    });

    it("gives every resource a parent inside one top-level component", () => {
      const roots = report.resources.filter((r) => r.parent === undefined);
      assert.deepEqual(roots.map((r) => r.type), ["llmops:infra:LlmopsStack"]);
    });
  });

  describe("A/B deployments", () => {
    let plan: InfraPlan;
    let report: OfflinePlanReport;
    before(async () => {
      plan = makePlan("ab", makeFlowFolder(), "prod");
      ({ report } = await recordGraph(plan));
    });

    it("names deployment resources by deployment name and freezes the prior's model and environment", () => {
      assert.deepEqual(ofType(report, types.deployment).map((d) => d.name), ["green", "blue"]);
      const blue = one(report, types.deployment, "blue");
      assert.deepEqual(blue.options.ignoreChanges, ["properties.model", "properties.environmentId"]);
      assert.deepEqual(input(blue, "sku"), { name: "Default", capacity: 3 });
      assert.equal(input(blue, "tags.deployment-role"), "prior");
    });

    it("scales the autoscaled deployment with an Azure Monitor CPU rule, not deployment scale settings", () => {
      const green = one(report, types.deployment, "green");
      assert.deepEqual(input(green, "properties.scaleSettings"), { scaleType: "Default" });
      assert.ok(green.options.ignoreChanges.includes("sku.capacity"));
      const autoscale = one(report, types.autoscale, "green-autoscale");
      const greenId = `/subscriptions/${subscriptionId}/resourceGroups/rg-llmops-test/providers/Microsoft.MachineLearningServices/workspaces/mlw-tickets-test/onlineEndpoints/tickets-test/deployments/green`;
      assert.equal(input(autoscale, "targetResourceUri"), greenId);
      assert.equal(input(autoscale, "enabled"), true);
      assert.deepEqual(input(autoscale, "profiles.0.capacity"), { minimum: "2", maximum: "4", default: "2" });
      const rules = input(autoscale, "profiles.0.rules") as { metricTrigger: Record<string, unknown>; scaleAction: Record<string, unknown> }[];
      assert.equal(rules.length, 2);
      assert.equal(rules[0].metricTrigger.metricName, "CpuUtilizationPercentage");
      assert.equal(rules[0].metricTrigger.metricResourceUri, greenId);
      assert.equal(rules[0].metricTrigger.operator, "GreaterThan");
      assert.equal(rules[0].metricTrigger.threshold, 70);
      assert.equal(rules[0].scaleAction.direction, "Increase");
      assert.equal(rules[1].scaleAction.direction, "Decrease");
      assert.equal(ofType(report, types.autoscale).length, 1, "blue has no autoscale");
    });

    it("collects model inputs and outputs where data collection is on", () => {
      const green = one(report, types.deployment, "green");
      assert.deepEqual(input(green, "properties.dataCollector.collections"), {
        model_inputs: { dataCollectionMode: "Enabled" },
        model_outputs: { dataCollectionMode: "Enabled" },
      });
      assert.equal(input(one(report, types.deployment, "blue"), "properties.dataCollector"), undefined);
    });

    it("splits traffic after both deployments exist", () => {
      const traffic = one(report, types.traffic);
      assert.deepEqual(input(traffic, "traffic"), { green: 10, blue: 90 });
      assert.deepEqual([...traffic.options.dependsOn].sort(), ["blue", "green"]);
    });
  });

  describe("mirror traffic", () => {
    it("shadows traffic to the current deployment through EndpointTraffic", async () => {
      const { report } = await recordGraph(makePlan("mirror", makeFlowFolder()));
      const traffic = one(report, types.traffic);
      assert.deepEqual(input(traffic, "traffic"), { blue: 100 });
      assert.deepEqual(input(traffic, "mirrorTraffic"), { green: 20 });
      assert.deepEqual(report.outputs.mirrorTraffic, { green: 20 });
    });
  });

  describe("Web App only", () => {
    it("declares no endpoint, deployment or traffic, and still the image, model and Web App", async () => {
      const { report } = await recordGraph(makePlan("webAppOnly", makeFlowFolder()));
      for (const type of [types.endpoint, types.deployment, types.traffic, types.autoscale]) assert.equal(ofType(report, type).length, 0, type);
      for (const type of [types.webApp, types.appServicePlan, types.identity, types.image, types.modelVersion]) assert.equal(ofType(report, type).length, 1, type);
      assert.equal(report.outputs.scoringUri, undefined);
      assert.equal(report.outputs.endpointPrincipalId, undefined);
      assert.ok(ofType(report, types.roleAssignment).every((r) => r.name.startsWith("webapp-")));
    });
  });

  describe("endpoint only", () => {
    it("declares no Web App, plan or user-assigned identity", async () => {
      const { report } = await recordGraph(makePlan("endpointOnly", makeFlowFolder()));
      for (const type of [types.webApp, types.appServicePlan, types.identity]) assert.equal(ofType(report, type).length, 0, type);
      assert.equal(report.outputs.webAppUrl, undefined);
      assert.equal(ofType(report, types.deployment).length, 1);
    });
  });

  describe("Key Vault in access-policy mode", () => {
    it("gives the endpoint identity a get/list secrets policy and deploys only after it", async () => {
      const plan = makePlan("accessPolicy", makeFlowFolder());
      const { report } = await recordGraph(plan);
      const policy = one(report, types.accessPolicy);
      assert.equal(input(policy, "vaultName"), "kv-tickets-test");
      assert.equal(input(policy, "resourceGroupName"), "rg-llmops-test");
      assert.equal(input(policy, "policy.tenantId"), "99999999-8888-4777-8666-555555555555");
      assert.equal(input(policy, "policy.objectId"), report.outputs.endpointPrincipalId);
      assert.deepEqual(input(policy, "policy.permissions"), { secrets: ["get", "list"] });
      assert.ok(one(report, types.deployment, "blue").options.dependsOn.includes(policy.name));
    });
  });

  describe("pinned deployment", () => {
    it("serves the pinned model version on an environment wrapping the pinned image", async () => {
      const plan = makePlan("ab", makeFlowFolder(), "prod");
      const pinnedImage = `crticketstest.azurecr.io/llmops/ticket-flow@sha256:${"ab".repeat(32)}`;
      plan.endpoint!.deployments[1].serves = { kind: "pinned", modelVersion: "0123456789ab", image: pinnedImage };
      const { report } = await recordGraph(plan);
      const blue = one(report, types.deployment, "blue");
      const workspace = `/subscriptions/${subscriptionId}/resourceGroups/rg-llmops-test/providers/Microsoft.MachineLearningServices/workspaces/mlw-tickets-test`;
      assert.equal(input(blue, "properties.model"), `${workspace}/models/ticket_flow_prod/versions/0123456789ab`);
      const environment = one(report, types.environmentVersion, "blue-pinned-environment");
      assert.equal(input(environment, "properties.image"), pinnedImage);
      assert.match(String(input(environment, "version")), /^pinned-[0-9a-f]{12}$/);
      assert.equal(input(blue, "properties.environmentId"), `${workspace}/environments/ticket_flow_prod-serving/versions/${String(input(environment, "version"))}`);
      assert.deepEqual(blue.options.ignoreChanges, [], "a pinned deployment follows its pin");
    });
  });

  describe("role assignment names", () => {
    it("are the same on every run of the same stack", async () => {
      const flow = makeFlowFolder();
      const first = (await recordGraph(makePlan("single", flow))).report;
      const second = (await recordGraph(makePlan("single", flow))).report;
      const names = (report: OfflinePlanReport) => ofType(report, types.roleAssignment).map((r) => [r.name, input(r, "roleAssignmentName")]);
      assert.deepEqual(names(first), names(second));
      assert.equal(new Set(names(first).map(([, guid]) => guid)).size, names(first).length, "one GUID per assignment");
    });
  });
});
