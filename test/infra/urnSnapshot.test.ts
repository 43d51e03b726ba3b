/**
 * Every resource's identity (type chain and name) for each config shape, dev and prod, against the committed
 * snapshot in test/infra/urnSnapshots: a renamed component type or resource would make `pulumi up` replace live
 * resources, so it must be a deliberate change (with `aliases`) and not an accident of a refactoring.
 * UPDATE_SNAPSHOTS=1 rewrites the snapshots from the program as it is.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { makeFlowFolder, makePlan, type PlanShape } from "./fixtures/infraPlans";
import { recordGraph } from "./fixtures/graph";
import { assertSameIdentities, readSnapshot, refreshCommand, resourceIdentities, writeSnapshot, type UrnSnapshot } from "./fixtures/urnSnapshot";

const shapes: PlanShape[] = ["single", "ab", "mirror", "webAppOnly", "endpointOnly", "accessPolicy", "kubernetesAb", "kubernetesMirror", "managedAndKubernetes"];
const stacks = ["dev", "prod"];
const snapshotDir = path.join(__dirname, "urnSnapshots");
const updating = process.env.UPDATE_SNAPSHOTS === "1";

async function identitiesOf(shape: PlanShape): Promise<UrnSnapshot> {
  const snapshot: UrnSnapshot = {};
  for (const stack of stacks) {
    const { report } = await recordGraph(makePlan(shape, makeFlowFolder(), stack));
    snapshot[stack] = resourceIdentities(report).sort();
  }
  return snapshot;
}

describe("infra: resource identities (URN snapshot)", function () {
  this.timeout(120_000);

  for (const shape of shapes) {
    it(`${shape}: every resource keeps its type chain and name`, async () => {
      const file = path.join(snapshotDir, `${shape}.json`);
      const actual = await identitiesOf(shape);
      if (updating) {
        writeSnapshot(file, actual);
        return;
      }
      assert.ok(fs.existsSync(file), `${path.relative(process.cwd(), file)} is missing: create it with \`${refreshCommand}\``);
      assertSameIdentities(path.relative(process.cwd(), file), readSnapshot(file), actual);
    });
  }

  it("fails on a component type renamed without aliases, saying what to do", async () => {
    const recorded = await identitiesOf("ab");
    const renamed: UrnSnapshot = {};
    for (const [stack, identities] of Object.entries(recorded)) {
      renamed[stack] = identities.map((identity) => identity.replace("llmops:infra:EndpointDeployments", "llmops:infra:EndpointRollout"));
    }
    assert.notDeepEqual(renamed, recorded, "the ab shape declares EndpointDeployments");
    assert.throws(
      () => assertSameIdentities("test/infra/urnSnapshots/ab.json", recorded, renamed),
      (error: Error) => {
        assert.match(error.message, /dev: - llmops:infra:LlmopsStack\$llmops:infra:EndpointDeployments\$azure-native:machinelearningservices:OnlineDeployment::blue/);
        assert.match(error.message, /dev: \+ llmops:infra:LlmopsStack\$llmops:infra:EndpointRollout\$azure-native:machinelearningservices:OnlineDeployment::blue/);
        assert.match(error.message, /Pulumi `aliases`/);
        assert.ok(error.message.includes(refreshCommand), error.message);
        return true;
      },
    );
  });
});
