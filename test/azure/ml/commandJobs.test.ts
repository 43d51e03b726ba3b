import * as assert from "node:assert/strict";
import { commandJobBody, datastoreUri, jobStateOf, type CommandJobSpec } from "../../../src/azure/ml/commandJobs";
import { shardCommand } from "../../../src/runs/azureml/runOnAzureMl";
import { armProblems, armReferenceAvailable, loadArmDefinitions } from "../../support/armDefinitions";

const workspaceId = "/subscriptions/3f2b8c1e-5d4a-4e6f-9b7c-0a1d2e3f4a5b/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/mlw";

function spec(overrides: Partial<CommandJobSpec> = {}): CommandJobSpec {
  return {
    displayName: "tickets 1/2",
    experimentName: "llmops-tickets",
    description: "instance 1 of 2",
    tags: { "llmops-run": "tickets__default" },
    command: shardCommand(0),
    environmentId: `${workspaceId}/environments/tickets_dev-jobs/versions/abc123`,
    environmentVariables: { AOAI_API_BASE: "https://aoai.example" },
    inputs: {
      flow: { type: "uri_folder", uri: datastoreUri("workspaceblobstore", "llmops/flows/abc/"), mode: "ReadOnlyMount" },
      data: { type: "uri_file", uri: datastoreUri("workspaceblobstore", "llmops/data/def/tickets.jsonl"), mode: "ReadOnlyMount" },
      spec: { type: "uri_file", uri: datastoreUri("workspaceblobstore", "llmops/jobs/0a/spec.json"), mode: "Download" },
    },
    outputs: { records: { uri: datastoreUri("workspaceblobstore", "llmops/runs/x/instance-0/") } },
    compute: { kind: "cluster", name: "llmops-dev" },
    identityResourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/jobs",
    timeout: "PT2H",
    ...overrides,
  };
}

describe("Azure ML command job bodies", () => {
  it("are CommandJob bodies ARM's definitions accept, on a cluster and serverless", function () {
    if (!armReferenceAvailable()) this.skip();
    const definitions = loadArmDefinitions("machinelearningservices-2025-12-01.definitions.json");
    assert.deepEqual(armProblems(definitions, "JobBaseResource", commandJobBody(workspaceId, spec())), []);
    assert.deepEqual(armProblems(definitions, "JobBaseResource", commandJobBody(workspaceId, spec({ compute: { kind: "serverless", instanceType: "Standard_D4s_v3" } }))), []);
    // The check itself refuses what ARM refuses: an input without its uri, a read-only status.
    assert.notDeepEqual(armProblems(definitions, "JobBaseResource", { properties: { jobType: "Command", command: "x", environmentId: "e", inputs: { a: { jobInputType: "uri_file" } } } }), []);
    assert.notDeepEqual(armProblems(definitions, "JobBaseResource", { properties: { ...(commandJobBody(workspaceId, spec()).properties as object), status: "Running" } }), []);
  });

  it("run our engine with inputs and output as placeholders, on the cluster or on serverless compute of an instance type", () => {
    const cluster = commandJobBody(workspaceId, spec()).properties as Record<string, unknown>;
    assert.equal(cluster.command, "llmops run-shard --flow ${{inputs.flow}} --data ${{inputs.data}} --spec ${{inputs.spec}} --instance 0 --out ${{outputs.records}}");
    assert.equal(cluster.computeId, `${workspaceId}/computes/llmops-dev`);
    assert.deepEqual(cluster.resources, { instanceCount: 1 });
    assert.deepEqual(cluster.outputs, { records: { jobOutputType: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/llmops/runs/x/instance-0/", mode: "ReadWriteMount" } });
    const serverless = commandJobBody(workspaceId, spec({ compute: { kind: "serverless", instanceType: "Standard_D4s_v3" } })).properties as Record<string, unknown>;
    assert.equal(serverless.computeId, undefined);
    assert.deepEqual(serverless.resources, { instanceCount: 1, instanceType: "Standard_D4s_v3" });
  });

  it("read a job's status, Unknown when ARM gives none", () => {
    assert.deepEqual(jobStateOf({ properties: { status: "Running" } }), { status: "Running" });
    assert.deepEqual(jobStateOf({}), { status: "Unknown" });
  });
});
