import assert from "node:assert/strict";
import { setEndpointTraffic, TrafficError } from "../../src/infra/traffic/endpointTrafficUpdate";
import { FakeArmServer, startFakeArmServer } from "../support/fakeArmServer";
import { clientFor, endpointKey, fakeClock } from "../azure/arm/armTestKit";

describe("setEndpointTraffic", () => {
  let server: FakeArmServer;

  beforeEach(async () => {
    server = await startFakeArmServer();
    server.addEndpoint(
      endpointKey,
      { authMode: "AADToken", traffic: { blue: 100 }, properties: { team: "ml" } },
      {
        identity: {
          type: "UserAssigned",
          userAssignedIdentities: { "/subscriptions/x/uami": { principalId: "p", clientId: "c" } },
        },
      },
    );
    server.addDeployment(endpointKey, "blue");
    server.addDeployment(endpointKey, "green");
  });
  afterEach(async () => {
    await server.close();
  });

  it("PUTs the endpoint back with the new split, keeping identity, authMode and the rest", async () => {
    const result = await setEndpointTraffic(clientFor(server, fakeClock()), { ...endpointKey, traffic: { blue: 90, green: 10 } });
    assert.equal(result.changed, true);
    assert.deepEqual(result.previous.traffic, { blue: 100 });
    assert.deepEqual(result.applied.traffic, { blue: 90, green: 10 });
    const [put] = server.puts();
    const body = put.body as { location: string; kind: string; tags: unknown; identity: unknown; properties: Record<string, unknown> };
    assert.equal(body.location, "westeurope");
    assert.equal(body.kind, "Managed");
    assert.deepEqual(body.tags, { owner: "tests" });
    assert.deepEqual(body.identity, { type: "UserAssigned", userAssignedIdentities: { "/subscriptions/x/uami": {} } });
    assert.equal(body.properties.authMode, "AADToken");
    assert.equal(body.properties.description, "test endpoint");
    assert.deepEqual(body.properties.properties, { team: "ml" });
    assert.deepEqual(body.properties.traffic, { blue: 90, green: 10 });
    assert.deepEqual(body.properties.mirrorTraffic, {});
    assert.equal(Object.values(body.properties.traffic as Record<string, number>).reduce((a, b) => a + b, 0), 100);
    assert.deepEqual((server.endpoint(endpointKey)?.properties as { traffic: unknown }).traffic, { blue: 90, green: 10 });
  });

  it("sets a mirror and removes it again when omitted", async () => {
    const client = clientFor(server, fakeClock());
    await setEndpointTraffic(client, { ...endpointKey, traffic: { blue: 100 }, mirrorTraffic: { green: 20 } });
    assert.deepEqual((server.endpoint(endpointKey)?.properties as { mirrorTraffic: unknown }).mirrorTraffic, { green: 20 });
    const result = await setEndpointTraffic(client, { ...endpointKey, traffic: { blue: 100 } });
    assert.equal(result.changed, true);
    assert.deepEqual(result.applied.mirrorTraffic, {});
  });

  it("sends nothing when the endpoint already routes exactly this", async () => {
    const result = await setEndpointTraffic(clientFor(server, fakeClock()), { ...endpointKey, traffic: { blue: 100, green: 0 } });
    assert.equal(result.changed, false);
    assert.equal(server.puts().length, 0);
  });

  it("rejects a deployment that does not exist before any PUT, naming the ones that do", async () => {
    await assert.rejects(
      setEndpointTraffic(clientFor(server, fakeClock()), { ...endpointKey, traffic: { blue: 50, purple: 50 } }),
      (err: unknown) => err instanceof TrafficError && /'purple' that do not exist \(existing: blue, green\)/.test(err.message),
    );
    assert.equal(server.puts().length, 0);
  });

  it("refuses to route traffic to a failed deployment", async () => {
    server.addDeployment(endpointKey, "red", "Failed");
    await assert.rejects(
      setEndpointTraffic(clientFor(server, fakeClock()), { ...endpointKey, traffic: { blue: 50, red: 50 } }),
      /refusing to route traffic to 'red' \(provisioningState Failed\)/,
    );
    assert.equal(server.puts().length, 0);
  });

  it("never sends an empty split or one that does not sum to 100 (ARM would accept the empty one)", async () => {
    const client = clientFor(server, fakeClock());
    await assert.rejects(setEndpointTraffic(client, { ...endpointKey, traffic: {} }), /traffic is empty/);
    await assert.rejects(setEndpointTraffic(client, { ...endpointKey, traffic: { blue: 0, green: 0 } }), /sums to 0/);
    assert.equal(server.requests.length, 0);
  });

  it("reports a missing endpoint clearly", async () => {
    await assert.rejects(
      setEndpointTraffic(clientFor(server, fakeClock()), { ...endpointKey, endpointName: "gone", traffic: { blue: 100 } }),
      (err: unknown) => err instanceof TrafficError && /endpoint 'gone' .* does not exist/.test(err.message),
    );
  });

  it("surfaces a failed update with ARM's code and leaves the old split in place", async () => {
    server.outcome = { status: "Failed", code: "ScoringFeatureNotReady", message: "green is not ready to serve" };
    await assert.rejects(
      setEndpointTraffic(clientFor(server, fakeClock()), { ...endpointKey, traffic: { blue: 50, green: 50 } }),
      /ScoringFeatureNotReady: green is not ready to serve/,
    );
    assert.deepEqual((server.endpoint(endpointKey)?.properties as { traffic: unknown }).traffic, { blue: 100 });
  });

  it("rolls back by passing the previous split", async () => {
    const client = clientFor(server, fakeClock());
    const moved = await setEndpointTraffic(client, { ...endpointKey, traffic: { green: 100 } });
    const back = await setEndpointTraffic(client, { ...endpointKey, ...moved.previous });
    assert.deepEqual(back.applied.traffic, { blue: 100 });
  });
});
