import { strict as assert } from "node:assert";
import type { OfflinePlanReport } from "../../src/stacks/offlinePlan/types";
import type { InfraPlan } from "../../src/plan/types";
import { makeFlowFolder, makePlan, subscriptionId } from "./fixtures/infraPlans";
import { input, ofType, one, recordGraph, types } from "./fixtures/graph";

describe("infra: the jobs cluster, identity and environment under mocks", function () {
  this.timeout(120_000);
  let plan: InfraPlan;
  let report: OfflinePlanReport;
  const identityId = `/subscriptions/${subscriptionId}/resourceGroups/rg-llmops-test/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ticket-flow-dev-jobs`;

  before(async () => {
    plan = makePlan("endpointOnly", makeFlowFolder());
    plan.jobs = {
      clusterName: "llmops-dev",
      vmSize: "Standard_D4s_v3",
      minNodes: 0,
      maxNodes: 6,
      lowPriority: true,
      idleTimeBeforeScaleDown: "PT900S",
      identityName: "ticket-flow-dev-jobs",
      identityId,
      environmentName: "ticket_flow_dev-jobs",
      environmentVersion: plan.image.tag,
      environmentId: `${plan.azure.workspace.id}/environments/ticket_flow_dev-jobs/versions/${plan.image.tag}`,
    };
    plan.roleAssignments.push(
      { key: "jobs-storage-blob-data-contributor-storage", principal: "jobs", roleName: "Storage Blob Data Contributor", roleDefinitionGuid: "ba92f5b4-2d11-453d-a403-e96b0029c9fe", scope: { kind: "workspaceStorage" } },
      { key: "jobs-acrpull-registry", principal: "jobs", roleName: "AcrPull", roleDefinitionGuid: "7f951dda-4ed3-4680-a7ca-43fe172d538d", scope: { kind: "resource", id: plan.azure.containerRegistry.id } },
    );
    ({ report } = await recordGraph(plan));
  });

  it("declares an AmlCompute cluster from 0 nodes to maxNodes, low priority, scaling down when idle, with the jobs identity", () => {
    const cluster = one(report, "azure-native:machinelearningservices:Compute");
    assert.equal(input(cluster, "computeName"), "llmops-dev");
    assert.equal(input(cluster, "workspaceName"), plan.azure.workspace.name);
    assert.equal(input(cluster, "properties.computeType"), "AmlCompute");
    assert.deepEqual(input(cluster, "properties.properties.scaleSettings"), { minNodeCount: 0, maxNodeCount: 6, nodeIdleTimeBeforeScaleDown: "PT900S" });
    assert.equal(input(cluster, "properties.properties.vmPriority"), "LowPriority");
    assert.equal(input(cluster, "properties.properties.remoteLoginPortPublicAccess"), "Disabled");
    assert.deepEqual(input(cluster, "identity"), { type: "UserAssigned", userAssignedIdentities: [identityId] });
    assert.equal(report.outputs.jobsClusterId, `${plan.azure.workspace.id}/computes/llmops-dev`);
  });

  it("runs jobs on the flow image by digest, in an environment without serving routes", () => {
    const environment = ofType(report, types.environmentVersion).find((resource) => input(resource, "name") === "ticket_flow_dev-jobs");
    assert.ok(environment);
    assert.equal(input(environment, "properties.image"), report.outputs.imageRepoDigest);
    assert.equal(input(environment, "properties.inferenceConfig"), undefined);
    assert.equal(report.outputs.jobsEnvironmentId, plan.jobs!.environmentId);
  });

  it("grants the jobs identity's roles to that identity, and exports its client ID", () => {
    const identity = ofType(report, types.identity).find((resource) => input(resource, "resourceName") === "ticket-flow-dev-jobs");
    assert.ok(identity);
    const contributor = one(report, types.roleAssignment, "jobs-storage-blob-data-contributor-storage");
    assert.equal(input(contributor, "principalType"), "ServicePrincipal");
    assert.match(String(report.outputs.jobsIdentityClientId), /^[0-9a-f-]{36}$/);
    assert.notEqual(input(contributor, "principalId"), report.outputs.endpointPrincipalId);
  });
});
