import { strict as assert } from "node:assert";
import { isNotFoundInvokeError, liveTrafficOf, readLiveTraffic } from "../../src/infra/liveTraffic";
import { diffPlans } from "../../src/stacks/planDiff";
import { armInvokeFailure } from "../../src/stacks/offlinePlan/mockAzure";
import { recordOfflinePlan } from "../../src/stacks/offlinePlan/recordUnderMocks";
import type { OfflinePlanReport } from "../../src/stacks/offlinePlan/types";
import { makeFlowFolder, makePlan } from "./fixtures/infraPlans";
import { recordInChild } from "./fixtures/childRecording";
import { input, ofType, one, recordGraph, types } from "./fixtures/graph";

const token = "azure-native:machinelearningservices:getOnlineEndpoint";
const endpointId = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/onlineEndpoints/tickets";

describe("infra: the endpoint's live traffic", function () {
  this.timeout(120_000);

  describe("reading it", () => {
    it("recognises azure-native's not-found errors, from both of its ARM clients, and nothing else", () => {
      // What the program receives: the engine's message text only (the Node SDK drops the gRPC code).
      assert.equal(isNotFoundInvokeError(new Error(armInvokeFailure(token, endpointId, 404, "ResourceNotFound", "not found").details)), true);
      assert.equal(isNotFoundInvokeError(new Error('request failed /x: autorest/azure: Service returned an error. Status=404 Code="UserError" Message="Not found"')), true);
      assert.equal(isNotFoundInvokeError(new Error("request failed /x: #: StatusCode=404 -- Original Error: invalid character")), true);
      assert.equal(isNotFoundInvokeError(new Error(armInvokeFailure(token, endpointId, 403, "AuthorizationFailed", "no access").details)), false);
      assert.equal(isNotFoundInvokeError(new Error('Status=4040 Code="X"')), false);
      assert.equal(isNotFoundInvokeError(new Error("the endpoint answered 404")), false, "only ARM's status field counts");
      assert.equal(isNotFoundInvokeError(undefined), false);
    });

    it("gives no traffic for an endpoint that does not exist yet", async () => {
      const live = await readLiveTraffic(() => Promise.reject(new Error(armInvokeFailure(token, endpointId, 404, "ResourceNotFound", "gone").details)), "tickets");
      assert.deepEqual(live, { traffic: {}, mirrorTraffic: {} });
    });

    it("rethrows any other failure as it is, never guessing a split", async () => {
      const failure = new Error(armInvokeFailure(token, endpointId, 429, "TooManyRequests", "slow down").details);
      await assert.rejects(readLiveTraffic(() => Promise.reject(failure), "tickets"), (err: unknown) => err === failure);
    });

    it("takes traffic and mirror traffic from the endpoint, an absent mirror as none", async () => {
      const live = await readLiveTraffic(async () => ({ properties: { traffic: { blue: 90, green: 10 } } }), "tickets");
      assert.deepEqual(live, { traffic: { blue: 90, green: 10 }, mirrorTraffic: {} });
      assert.deepEqual(liveTrafficOf({ properties: { traffic: { blue: 100 }, mirrorTraffic: { green: 20 } } }, "tickets"), {
        traffic: { blue: 100 },
        mirrorTraffic: { green: 20 },
      });
    });

    it("refuses a split that is not a percent map", () => {
      assert.throws(() => liveTrafficOf({ properties: { traffic: { blue: "100" } } }, "tickets"), /tickets: properties\.traffic\.blue: expected a percent, found "100"/);
      assert.throws(() => liveTrafficOf({ properties: { traffic: [100] } }, "tickets"), /expected a map of deployment name to percent/);
    });
  });

  describe("the endpoint declared under mocks", () => {
    let report: OfflinePlanReport;
    before(async () => {
      const plan = makePlan("ab", makeFlowFolder(), "prod");
      report = await recordOfflinePlan(plan, { onlineEndpoints: { "tickets-test": { traffic: { blue: 100, green: 0 }, mirrorTraffic: { green: 10 } } } });
    });

    it("carries the split that is live, so any re-PUT of the endpoint keeps serving it", () => {
      const endpoint = one(report, types.endpoint);
      assert.deepEqual(input(endpoint, "properties.traffic"), { blue: 100, green: 0 });
      assert.deepEqual(input(endpoint, "properties.mirrorTraffic"), { green: 10 });
    });

    it("has no ignoreChanges on traffic any more", () => {
      assert.deepEqual(one(report, types.endpoint).options.ignoreChanges, []);
    });

    it("still moves to the plan's split through EndpointTraffic, after every deployment", () => {
      const traffic = one(report, types.traffic);
      assert.deepEqual(input(traffic, "traffic"), { green: 10, blue: 90 });
      assert.deepEqual(input(traffic, "mirrorTraffic"), {});
      assert.deepEqual([...traffic.options.dependsOn].sort(), ofType(report, types.deployment).map((d) => d.name).sort());
      assert.deepEqual([...traffic.options.dependsOn].sort(), ["blue", "green"]);
    });

    it("shows a change of only the endpoint's traffic once the live split moved, and nothing after that", async () => {
      // After an `up` moved traffic to the plan's split, the next run reads that split and re-sends it.
      const plan = makePlan("ab", makeFlowFolder(), "prod");
      const moved = await recordOfflinePlan(plan, { onlineEndpoints: { "tickets-test": { traffic: { green: 10, blue: 90 } } } });
      const again = await recordOfflinePlan(plan, { onlineEndpoints: { "tickets-test": { traffic: { green: 10, blue: 90 } } } });
      const endpointChanges = diffPlans(report, moved).filter((change) => change.type === types.endpoint);
      assert.deepEqual(endpointChanges.map((change) => [...change.properties].sort()), [["properties.mirrorTraffic.green", "properties.traffic.blue", "properties.traffic.green"]]);
      assert.deepEqual(diffPlans(moved, again).filter((change) => change.type === types.endpoint), []);
    });
  });

  describe("a first deployment", () => {
    it("declares the endpoint with no traffic", async () => {
      const { report } = await recordGraph(makePlan("single", makeFlowFolder()));
      const endpoint = one(report, types.endpoint);
      assert.deepEqual(input(endpoint, "properties.traffic"), {});
      assert.deepEqual(input(endpoint, "properties.mirrorTraffic"), {});
      assert.deepEqual(input(one(report, types.traffic), "traffic"), { blue: 100 });
    });
  });

  describe("an endpoint that cannot be read", () => {
    it("fails the program with Azure's error instead of declaring an empty split", () => {
      const outcome = recordInChild("endpointReadForbidden");
      assert.equal(outcome.ok, false);
      assert.match(String(outcome.message), /getOnlineEndpoint/);
      assert.match(String(outcome.message), /Status=403 Code="AuthorizationFailed"/);
    });
  });
});
