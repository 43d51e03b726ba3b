import assert from "node:assert/strict";
import { makeEndpointTrafficProvider } from "../../src/infra/endpointTraffic";
import { FakeArmServer, startFakeArmServer } from "../support/fakeArmServer";
import { clientFor, endpointKey, endpointPath, fakeClock } from "../azure/arm/armTestKit";

// The engine hands the provider its property bag with the serialised provider under `__provider`.
const engineBag = (traffic: Record<string, number>, mirrorTraffic: Record<string, number> = {}) => ({
  ...endpointKey,
  traffic,
  mirrorTraffic,
  __provider: "serialised provider text",
});
const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function liveTraffic(server: FakeArmServer): unknown {
  return (server.endpoint(endpointKey)?.properties as { traffic: unknown }).traffic;
}

describe("EndpointTraffic dynamic provider", () => {
  let server: FakeArmServer;
  let provider: ReturnType<typeof makeEndpointTrafficProvider>;

  beforeEach(async () => {
    server = await startFakeArmServer();
    server.addEndpoint(endpointKey);
    server.addDeployment(endpointKey, "blue");
    server.addDeployment(endpointKey, "green");
    provider = makeEndpointTrafficProvider(() => clientFor(server, fakeClock()));
  });
  afterEach(async () => {
    await server.close();
  });

  it("check reports bad splits as property failures at preview, and lets unknown values through", async () => {
    const bad = await provider.check!({}, engineBag({ blue: 90, green: 5 }));
    assert.deepEqual(bad.failures?.map((f) => f.property), ["traffic"]);
    const pending = await provider.check!({}, { ...engineBag({ blue: 100 }), endpointName: unknown });
    assert.equal(pending.failures, undefined);
    assert.equal(server.requests.length, 0);
  });

  it("create applies the split and returns the endpoint's id and the applied traffic", async () => {
    const created = await provider.create(engineBag({ blue: 100 }));
    assert.equal(created.id, endpointPath);
    assert.deepEqual(created.outs, { ...endpointKey, traffic: { blue: 100 }, mirrorTraffic: {} });
    assert.deepEqual(liveTraffic(server), { blue: 100 });
  });

  it("diff: no change when declared and live agree; a change, never a replace, when the split differs", async () => {
    await provider.create(engineBag({ blue: 100 }));
    const olds = { ...endpointKey, traffic: { blue: 100 }, mirrorTraffic: {} };
    assert.equal((await provider.diff!(endpointPath, olds, engineBag({ blue: 100 }))).changes, false);
    const moved = await provider.diff!(endpointPath, olds, engineBag({ blue: 50, green: 50 }));
    assert.equal(moved.changes, true);
    assert.deepEqual(moved.replaces, []);
    const mirrored = await provider.diff!(endpointPath, olds, engineBag({ blue: 100 }, { green: 10 }));
    assert.equal(mirrored.changes, true);
  });

  it("diff notices a split lost out of band (an endpoint re-PUT that zeroed traffic)", async () => {
    await provider.create(engineBag({ blue: 100 }));
    const endpoint = server.endpoint(endpointKey);
    (endpoint?.properties as { traffic: unknown }).traffic = {};
    const olds = { ...endpointKey, traffic: { blue: 100 }, mirrorTraffic: {} };
    const diff = await provider.diff!(endpointPath, olds, engineBag({ blue: 100 }));
    assert.equal(diff.changes, true);
    assert.deepEqual(diff.replaces, []);
  });

  it("diff with unknown inputs (preview) reports a change without calling ARM", async () => {
    const olds = { ...endpointKey, traffic: { blue: 100 }, mirrorTraffic: {} };
    const diff = await provider.diff!(endpointPath, olds, { ...engineBag({ blue: 100 }), traffic: unknown });
    assert.equal(diff.changes, true);
    assert.equal(server.requests.length, 0);
  });

  it("update moves traffic and returns the applied split", async () => {
    await provider.create(engineBag({ blue: 100 }));
    const olds = { ...endpointKey, traffic: { blue: 100 }, mirrorTraffic: {} };
    const updated = await provider.update!(endpointPath, olds, engineBag({ blue: 20, green: 80 }));
    assert.deepEqual(updated.outs?.traffic, { blue: 20, green: 80 });
    assert.deepEqual(liveTraffic(server), { blue: 20, green: 80 });
  });

  it("update refuses a deployment that does not exist, before any PUT", async () => {
    const olds = { ...endpointKey, traffic: { blue: 100 }, mirrorTraffic: {} };
    await assert.rejects(provider.update!(endpointPath, olds, engineBag({ blue: 50, purple: 50 })), /'purple'/);
    assert.equal(server.puts().length, 0);
  });

  it("read refreshes from the endpoint, and reports the resource gone with its endpoint", async () => {
    await provider.create(engineBag({ blue: 100 }));
    (server.endpoint(endpointKey)?.properties as { traffic: unknown }).traffic = { green: 100 };
    const read = await provider.read!(endpointPath, { ...endpointKey, traffic: { blue: 100 }, mirrorTraffic: {} });
    assert.equal(read.id, endpointPath);
    assert.deepEqual(read.props?.traffic, { green: 100 });
    const gone = await provider.read!(endpointPath, { ...endpointKey, endpointName: "deleted", traffic: { blue: 100 }, mirrorTraffic: {} });
    assert.equal(gone.id, "");
  });

  it("delete sends nothing and leaves the live endpoint serving", async () => {
    await provider.create(engineBag({ blue: 100 }));
    const before = server.requests.length;
    await provider.delete!(endpointPath, { ...endpointKey, traffic: { blue: 100 }, mirrorTraffic: {} });
    assert.equal(server.requests.length, before);
    assert.deepEqual(liveTraffic(server), { blue: 100 });
  });
});
