import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { InfraPlan } from "../../src/plan/types";
import { recordOfflinePlan } from "../../src/stacks/offlinePlan/recordUnderMocks";
import type { OfflinePlanReport, RecordedResource } from "../../src/stacks/offlinePlan/types";
import { armProblems, armReferenceAvailable, loadArmDefinitions } from "../support/armDefinitions";
import { input, ofType, one, recordGraph, types } from "./fixtures/graph";
import { makeFlowFolder, makePlan, subscriptionId } from "./fixtures/infraPlans";

const workspaceId = `/subscriptions/${subscriptionId}/resourceGroups/rg-llmops-test/providers/Microsoft.MachineLearningServices/workspaces/mlw-tickets-test`;
const computeId = `${workspaceId}/computes/aks-tickets`;

function inputsOf(resource: RecordedResource): Record<string, unknown> {
  return resource.inputs;
}

describe("infra: Kubernetes online endpoints under mocks", function () {
  this.timeout(120_000);

  describe("A/B deployments at 90/10 on an attached Kubernetes compute", () => {
    let plan: InfraPlan;
    let report: OfflinePlanReport;
    before(async () => {
      plan = makePlan("kubernetesAb", makeFlowFolder(), "prod");
      ({ report } = await recordGraph(plan));
    });

    it("declares the endpoint on the compute's ARM ID, found by name, with a system-assigned identity and key auth", () => {
      const endpoint = one(report, types.endpoint, "kubernetes-endpoint");
      assert.equal(input(endpoint, "endpointName"), "tickets-aks-test");
      assert.equal(input(endpoint, "properties.compute"), computeId);
      assert.equal(input(endpoint, "properties.authMode"), "Key");
      assert.deepEqual(input(endpoint, "identity"), { type: "SystemAssigned" });
      assert.deepEqual(input(endpoint, "properties.traffic"), {}, "the live split on a first deployment; EndpointTraffic sets the plan's");
    });

    it("declares Kubernetes deployments with the instance type, instance count and container requests", () => {
      assert.deepEqual(ofType(report, types.deployment).map((d) => [d.name, input(d, "deploymentName")]), [
        ["kubernetes-green", "green"],
        ["kubernetes-blue", "blue"],
      ]);
      const blue = one(report, types.deployment, "kubernetes-blue");
      assert.equal(input(blue, "endpointName"), "tickets-aks-test");
      assert.equal(input(blue, "properties.endpointComputeType"), "Kubernetes");
      assert.equal(input(blue, "properties.instanceType"), "defaultinstancetype");
      assert.deepEqual(input(blue, "sku"), { name: "Default", capacity: 3 });
      assert.deepEqual(input(blue, "properties.scaleSettings"), { scaleType: "Default" });
      assert.deepEqual(input(blue, "properties.containerResourceRequirements"), { containerResourceRequests: { cpu: "500m", memory: "1Gi" } });
      assert.equal(input(blue, "properties.requestSettings.requestTimeout"), "PT3M");
      assert.equal(input(blue, "properties.environmentVariables.PROMPTFLOW_RUN_MODE"), "serving");
      assert.equal(input(blue, "properties.livenessProbe.period"), "PT10S");
      assert.equal(input(blue, "properties.readinessProbe.period"), "PT5S");
      assert.equal(input(blue, "properties.model"), report.outputs.modelId, "created with this build, then frozen");
    });

    it("freezes the prior deployment's model and environment as on managed endpoints", () => {
      assert.deepEqual(one(report, types.deployment, "kubernetes-blue").options.ignoreChanges, ["properties.model", "properties.environmentId"]);
      assert.equal(input(one(report, types.deployment, "kubernetes-blue"), "tags.deployment-role"), "prior");
      assert.deepEqual(one(report, types.deployment, "kubernetes-green").options.ignoreChanges, []);
    });

    it("autoscales on the cluster with target-utilization scale settings, not an Azure Monitor setting", () => {
      const green = one(report, types.deployment, "kubernetes-green");
      assert.deepEqual(input(green, "properties.scaleSettings"), { scaleType: "TargetUtilization", minInstances: 2, maxInstances: 4, targetUtilizationPercentage: 70 });
      assert.equal(ofType(report, types.autoscale).length, 0);
      assert.deepEqual(input(green, "properties.dataCollector.collections.model_inputs"), { dataCollectionMode: "Enabled" });
    });

    it("creates deployments after the endpoint and its identity's grants, and splits traffic after both exist", () => {
      const grants = ofType(report, types.roleAssignment).map((r) => r.name);
      assert.ok(grants.length >= 3 && grants.every((name) => name.startsWith("kubernetes-endpoint-")), grants.join(", "));
      for (const deployment of ofType(report, types.deployment)) {
        for (const name of ["kubernetes-endpoint", ...grants]) assert.ok(deployment.options.dependsOn.includes(name), `${deployment.name} after ${name}`);
      }
      const traffic = one(report, types.traffic, "kubernetes-traffic");
      assert.equal(input(traffic, "endpointName"), "tickets-aks-test");
      assert.deepEqual(input(traffic, "traffic"), { green: 10, blue: 90 });
      assert.deepEqual([...traffic.options.dependsOn].sort(), ["kubernetes-blue", "kubernetes-green"]);
    });

    it("grants the endpoint identity its roles as service principal", () => {
      for (const assignment of ofType(report, types.roleAssignment)) {
        assert.equal(input(assignment, "principalType"), "ServicePrincipal");
        assert.equal(input(assignment, "principalId"), report.outputs.kubernetesEndpointPrincipalId);
      }
    });

    it("exports the Kubernetes endpoint under kubernetes* outputs and no managed endpoint", () => {
      assert.equal(report.outputs.kubernetesEndpointName, "tickets-aks-test");
      assert.equal(report.outputs.kubernetesScoringUri, "https://tickets-aks-test.westeurope.inference.ml.azure.com/score");
      assert.deepEqual(report.outputs.kubernetesDeploymentNames, ["green", "blue"]);
      assert.deepEqual(report.outputs.kubernetesTraffic, { green: 10, blue: 90 });
      assert.deepEqual(report.outputs.kubernetesMirrorTraffic, {});
      for (const key of ["endpointName", "scoringUri", "deploymentNames", "traffic"]) assert.equal(report.outputs[key], undefined, key);
    });
  });

  describe("mirror traffic", () => {
    it("shadows traffic to the current Kubernetes deployment through EndpointTraffic", async () => {
      const { report } = await recordGraph(makePlan("kubernetesMirror", makeFlowFolder()));
      const traffic = one(report, types.traffic, "kubernetes-traffic");
      assert.deepEqual(input(traffic, "traffic"), { blue: 100 });
      assert.deepEqual(input(traffic, "mirrorTraffic"), { green: 20 });
      assert.deepEqual(report.outputs.kubernetesMirrorTraffic, { green: 20 });
    });
  });

  describe("managed and Kubernetes endpoints in one stack", () => {
    let report: OfflinePlanReport;
    before(async () => {
      ({ report } = await recordGraph(makePlan("managedAndKubernetes", makeFlowFolder(), "prod")));
    });

    it("declares both endpoints, their deployments and traffic under distinct names (no two URNs alike)", () => {
      const urns = report.resources.map((r) => `${r.type}::${r.name}`);
      assert.equal(new Set(urns).size, urns.length, "a type and name appear once");
      assert.deepEqual(ofType(report, types.endpoint).map((e) => [e.name, input(e, "endpointName")]), [
        ["endpoint", "tickets-test"],
        ["kubernetes-endpoint", "tickets-aks-test"],
      ]);
      assert.equal(input(one(report, types.endpoint, "endpoint"), "properties.compute"), undefined, "a managed endpoint names no compute");
      assert.deepEqual(ofType(report, types.deployment).map((d) => d.name).sort(), ["blue", "green", "kubernetes-blue", "kubernetes-green"]);
      assert.deepEqual(input(one(report, types.traffic, "traffic"), "endpointName"), "tickets-test");
      assert.deepEqual(input(one(report, types.traffic, "kubernetes-traffic"), "endpointName"), "tickets-aks-test");
    });

    it("makes each endpoint's deployments wait for their own identity's grants", () => {
      const managed = one(report, types.deployment, "green");
      const kubernetes = one(report, types.deployment, "kubernetes-green");
      assert.ok(managed.options.dependsOn.some((name) => name.startsWith("endpoint-")));
      assert.ok(!managed.options.dependsOn.some((name) => name.startsWith("kubernetes-endpoint-")));
      assert.ok(kubernetes.options.dependsOn.some((name) => name.startsWith("kubernetes-endpoint-")));
      assert.ok(!kubernetes.options.dependsOn.some((name) => name.startsWith("endpoint-")));
    });

    it("exports both endpoints side by side", () => {
      assert.equal(report.outputs.endpointName, "tickets-test");
      assert.equal(report.outputs.kubernetesEndpointName, "tickets-aks-test");
      assert.deepEqual(report.outputs.traffic, { green: 10, blue: 90 });
      assert.deepEqual(report.outputs.kubernetesTraffic, { green: 10, blue: 90 });
      assert.notEqual(report.outputs.endpointPrincipalId, report.outputs.kubernetesEndpointPrincipalId);
    });

    it("declares endpoint and deployment bodies ARM's 2025-12-01 definitions accept", function () {
      if (!armReferenceAvailable()) this.skip();
      const definitions = loadArmDefinitions("machinelearningservices-2025-12-01.definitions.json");
      const common = loadArmDefinitions("common-types-v3-types.definitions.json");
      for (const endpoint of ofType(report, types.endpoint)) {
        assert.deepEqual(armProblems(definitions, "OnlineEndpoint", inputsOf(endpoint).properties), [], endpoint.name);
      }
      for (const deployment of ofType(report, types.deployment)) {
        assert.deepEqual(armProblems(definitions, "OnlineDeployment", inputsOf(deployment).properties), [], deployment.name);
        assert.deepEqual(armProblems(common, "Sku", inputsOf(deployment).sku), [], `${deployment.name} sku`);
      }
    });
  });

  describe("the attached compute", () => {
    const dockerfileRoot = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "llmops-dockerfile-"));

    it("fails the deployment, naming the compute, when the workspace has no compute of that name", async () => {
      const plan = makePlan("kubernetesAb", makeFlowFolder());
      await assert.rejects(recordOfflinePlan(plan, { dockerfileRoot: dockerfileRoot(), computes: {} }), /workspace 'mlw-tickets-test' has no compute 'aks-tickets'/);
    });

    it("refuses a compute that is not an attached Kubernetes compute", async () => {
      const plan = makePlan("kubernetesAb", makeFlowFolder());
      await assert.rejects(
        recordOfflinePlan(plan, { dockerfileRoot: dockerfileRoot(), computes: { "aks-tickets": { computeType: "AmlCompute" } } }),
        /compute 'aks-tickets' of workspace 'mlw-tickets-test' is AmlCompute, not an attached Kubernetes compute/,
      );
    });
  });
});

describe("ARM definitions checker (test support)", () => {
  it("finds a wrong enum, a missing required property and an unknown key in a deployment body", function () {
    if (!armReferenceAvailable()) this.skip();
    const definitions = loadArmDefinitions("machinelearningservices-2025-12-01.definitions.json");
    assert.deepEqual(armProblems(definitions, "OnlineDeployment", { endpointComputeType: "Kubernetes", scaleSettings: { scaleType: "Default" } }), []);
    const problems = armProblems(definitions, "OnlineDeployment", {
      endpointComputeType: "Kubernetes",
      scaleSettings: { scaleType: "Sometimes" },
      containerResourceRequirements: { containerResourceRequests: { cores: "1" } },
      dataCollector: {},
    });
    assert.deepEqual(problems, [
      "$.scaleSettings.scaleType: no OnlineScaleSettings subtype for \"Sometimes\"",
      "$.containerResourceRequirements.containerResourceRequests.cores: not a property of this definition",
      "$.dataCollector.collections: required, missing",
    ]);
    assert.deepEqual(armProblems(definitions, "OnlineDeployment", { endpointComputeType: "Serverless" }), [
      "$.endpointComputeType: no OnlineDeployment subtype for \"Serverless\"",
    ]);
  });
});
