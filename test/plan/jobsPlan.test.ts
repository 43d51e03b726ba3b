import * as assert from "node:assert/strict";
import { ConfigError } from "../../src/core/userError";
import { plan, projectsRemovedAfterSuite, stackConfig } from "./fixtures";

describe("plan: Azure ML jobs (llmops:jobs)", () => {
  const project = projectsRemovedAfterSuite();

  it("declares nothing for jobs when the stack does not ask for them", () => {
    const planned = plan(project());
    assert.equal(planned.jobs, undefined);
    assert.ok(!planned.roleAssignments.some((grant) => grant.principal === "jobs"));
  });

  it("plans a cluster scaling from 0 nodes, the jobs identity with storage, registry and vault roles only, and an environment per build", () => {
    const planned = plan(project(), { stackConfig: { ...stackConfig(), jobs: JSON.stringify({ maxNodes: 8, lowPriority: true, idleSecondsBeforeScaleDown: 300 }) } });
    const jobs = planned.jobs!;
    assert.equal(jobs.minNodes, 0);
    assert.equal(jobs.maxNodes, 8);
    assert.equal(jobs.lowPriority, true);
    assert.equal(jobs.idleTimeBeforeScaleDown, "PT300S");
    assert.equal(jobs.vmSize, "Standard_D4s_v3");
    assert.match(jobs.clusterName, /^[a-z][a-z0-9-]{1,15}$/);
    assert.equal(jobs.environmentVersion, planned.image.tag);
    assert.equal(jobs.environmentId, `${planned.azure.workspace.id}/environments/${jobs.environmentName}/versions/${planned.image.tag}`);
    assert.match(jobs.identityId, new RegExp(`/resourceGroups/${planned.azure.resourceGroupName}/providers/Microsoft\\.ManagedIdentity/userAssignedIdentities/${jobs.identityName}$`));
    const grants = planned.roleAssignments.filter((grant) => grant.principal === "jobs").map((grant) => [grant.roleName, grant.scope.kind === "resource" ? grant.scope.id : grant.scope.kind]);
    assert.deepEqual(grants, [
      ["Storage Blob Data Contributor", "workspaceStorage"],
      ["AcrPull", planned.azure.containerRegistry.id],
      ["Key Vault Secrets User", planned.azure.keyVault.id],
    ]);
  });

  it("refuses a cluster bigger than the schema allows, naming the file and the key", () => {
    assert.throws(
      () => plan(project(), { stackConfig: { ...stackConfig(), jobs: JSON.stringify({ maxNodes: 0 }) } }),
      (err: unknown) => err instanceof ConfigError && /Pulumi\.dev\.yaml/.test(err.message) && /llmops:jobs/.test(err.message) && /maxNodes/.test(err.message),
    );
  });
});
