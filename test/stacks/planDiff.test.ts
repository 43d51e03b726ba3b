import { strict as assert } from "node:assert";
import { diffPlans, diffResources, pairResources } from "../../src/stacks/planDiff";
import type { OfflinePlanReport, PlannedResource, RecordedResource } from "../../src/stacks/offlinePlan/types";

function resource(type: string, name: string, inputs: Record<string, unknown>, ignoreChanges: string[] = []): RecordedResource {
  return { type, name, inputs, options: { dependsOn: [], ignoreChanges, retainOnDelete: false }, custom: true };
}

function report(resources: RecordedResource[], outputs: Record<string, unknown> = {}): OfflinePlanReport {
  return { stack: "dev", resources, outputs, notices: [] };
}

describe("diffPlans (URN matching, as the engine plans)", () => {
  const endpointType = "azure-native:machinelearningservices:OnlineEndpoint";
  it("reports creates, deletes and changed input paths", () => {
    const before = report([resource("t:A", "a", { x: 1, nested: { y: 1 } }), resource("t:B", "b", {})]);
    const after = report([resource("t:A", "a", { x: 1, nested: { y: 2 } }), resource("t:C", "c", {})]);
    assert.deepEqual(diffPlans(before, after), [
      { type: "t:A", name: "a", change: "update", properties: ["nested.y"] },
      { type: "t:C", name: "c", change: "create", properties: [] },
      { type: "t:B", name: "b", change: "delete", properties: [] },
    ]);
  });

  it("leaves out inputs under the resource's ignoreChanges, as the engine does", () => {
    const ignored = ["properties.traffic"];
    const before = report([resource(endpointType, "e", { properties: { traffic: { a: 100 }, authMode: "Key" } }, ignored)]);
    const after = report([resource(endpointType, "e", { properties: { traffic: { b: 100 }, authMode: "Key" } }, ignored)]);
    assert.deepEqual(diffPlans(before, after), []);
    const authChanged = report([resource(endpointType, "e", { properties: { traffic: { b: 100 }, authMode: "AADToken" } }, ignored)]);
    assert.deepEqual(diffPlans(before, authChanged)[0].properties, ["properties.authMode"]);
  });
});

describe("plan diff: URN matching vs rename-tolerant pairing", () => {
  const endpointType = "azure-native:machinelearningservices:OnlineEndpoint";
  const dev: PlannedResource = { type: endpointType, name: "tickets-dev", inputs: { sku: "a" } };
  const prod: PlannedResource = { type: endpointType, name: "tickets-prod", inputs: { sku: "b" } };

  it("pairs a type's single leftover across a per-environment rename only when renames are tolerated", () => {
    assert.deepEqual(pairResources([dev], [prod]), { pairs: [{ from: dev, to: prod }], onlyFrom: [], onlyTo: [] });
    assert.deepEqual(pairResources([dev], [prod], "urn"), { pairs: [], onlyFrom: [dev], onlyTo: [prod] });
  });

  it("honours ignoreChanges only when diffing as the engine does", () => {
    const options = { dependsOn: [], ignoreChanges: ["properties.traffic"], retainOnDelete: false };
    const before: PlannedResource = { type: endpointType, name: "e", inputs: { properties: { traffic: [1] } }, options };
    const after: PlannedResource = { type: endpointType, name: "e", inputs: { properties: { traffic: [2] } }, options };
    assert.equal(diffResources([before], [after], "urn").unchanged, 1);
    assert.deepEqual(diffResources([before], [after]).changed[0].changes, [{ path: "properties.traffic[0]", from: 1, to: 2 }]);
  });
});
