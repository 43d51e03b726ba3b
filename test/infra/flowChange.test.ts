import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { planFromPulumiConfig } from "../../src/infra/program";
import { diffPlans, PlannedChange } from "../../src/stacks/planDiff";
import { recordOfflinePlan } from "../../src/stacks/offlinePlan/recordUnderMocks";
import { readStackConfigFile } from "../../src/config/stackConfigFile";
import type { OfflinePlanReport } from "../../src/stacks/offlinePlan/types";
import { makeFlowFolder, makePlan } from "./fixtures/infraPlans";
import { recordGraph, types } from "./fixtures/graph";

const changeOf = (changes: PlannedChange[], type: string, name: string) => changes.find((c) => c.type === type && c.name === name);

describe("infra: a changed flow file", function () {
  this.timeout(180_000);

  it("moves only the current deployment to the new model and image; the frozen prior keeps its build", async () => {
    const flowDir = makeFlowFolder();
    const before = (await recordGraph(makePlan("ab", flowDir, "prod"))).report;
    fs.appendFileSync(path.join(flowDir, "classify.jinja2"), "Answer with one word.\n");
    const after = (await recordGraph(makePlan("ab", flowDir, "prod"))).report;
    const changes = diffPlans(before, after);

    const green = changeOf(changes, types.deployment, "green");
    assert.ok(green, "the current deployment changes");
    assert.deepEqual(green.change, "update");
    assert.deepEqual(green.properties, ["properties.environmentId", "properties.model"]);
    assert.equal(changeOf(changes, types.deployment, "blue"), undefined, "the frozen prior does not change");

    // A new tag, and (the generated Dockerfile names the build) a new Dockerfile path.
    assert.ok(changeOf(changes, types.image, "image")?.properties.includes("imageName"));
    assert.deepEqual(changeOf(changes, types.modelVersion, "model")?.properties.includes("version"), true);
    assert.equal(changeOf(changes, types.environmentVersion, "environment")?.change, "update");
    for (const type of [types.endpoint, types.traffic, types.roleAssignment, types.autoscale, types.webApp, types.dataVersion]) {
      const unexpected = changes.filter((c) => c.type === type && c.type !== types.webApp);
      assert.deepEqual(unexpected, [], `${type} unchanged`);
    }
    // The Web App follows the build: it runs the new digest.
    assert.deepEqual(changeOf(changes, types.webApp, "app")?.properties, ["siteConfig.linuxFxVersion"]);
    // New blobs for the new content path; the old ones leave the stack but stay in storage (retainOnDelete).
    const deletedBlobs = changes.filter((c) => c.type === types.blob && c.change === "delete");
    assert.equal(deletedBlobs.length, 3);
    assert.ok(before.resources.filter((r) => r.type === types.blob).every((r) => r.options.retainOnDelete));
  });

  it("does the same on the shipped prod stack (A/B, real plan from Pulumi.prod.yaml)", async () => {
    const root = copyProject();
    const planOf = (): Promise<OfflinePlanReport> => {
      const config = readStackConfigFile(root, "prod");
      const plan = planFromPulumiConfig({ stack: "prod", projectRoot: root, allConfig: config.config, environmentVariables: { AOAI_API_BASE: "https://aoai-llmops-prod.openai.azure.com/" } });
      return recordOfflinePlan(plan, { projectRoot: root, dockerfileRoot: path.join(root, ".dockerfiles") });
    };
    const before = await planOf();
    const deployments = before.resources.filter((r) => r.type === types.deployment);
    assert.ok(deployments.length === 2, "prod is an A/B stack");
    const current = deployments.find((d) => d.inputs.tags !== undefined && (d.inputs.tags as Record<string, string>)["deployment-role"] === "current");
    const prior = deployments.find((d) => d !== current);
    assert.ok(current && prior);

    const flowFile = path.join(root, "flows", "support_ticket_classifier", "flow.dag.yaml");
    fs.appendFileSync(flowFile, "\n# changed by a test\n");
    const after = await planOf();
    const changes = diffPlans(before, after);

    assert.deepEqual(changeOf(changes, types.deployment, current.name)?.properties, ["properties.environmentId", "properties.model"]);
    assert.equal(changeOf(changes, types.deployment, prior.name), undefined);
    assert.equal(changes.filter((c) => c.type === types.endpoint || c.type === types.traffic).length, 0);
    assert.notEqual(after.outputs.modelVersion, before.outputs.modelVersion);
    assert.notEqual(after.outputs.imageRepoDigest, before.outputs.imageRepoDigest);
  });
});

/** The project's stack files, config and flows in a temp folder, so a test can edit a flow freely. */
function copyProject(): string {
  const source = path.resolve(__dirname, "..", "..");
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-project-"));
  for (const entry of ["Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.dev.yaml", "config", "flows"]) {
    fs.cpSync(path.join(source, entry), path.join(root, entry), { recursive: true });
  }
  return root;
}
