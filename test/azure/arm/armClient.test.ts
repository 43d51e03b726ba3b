import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ArmError } from "../../../src/azure/arm/armError";
import { FakeArmServer, startFakeArmServer } from "../../support/fakeArmServer";
import { clientFor, endpointKey, endpointPath, fakeClock, testToken } from "./armTestKit";

const apiVersion = "2025-12-01";

function trafficOf(resource: unknown): unknown {
  const props = (resource as { properties?: { traffic?: unknown } }).properties;
  return props?.traffic;
}

async function armErrorOf(promise: Promise<unknown>): Promise<ArmError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ArmError, `expected ArmError, got ${String(err)}`);
    assert.ok(!err.message.includes(testToken), "the token must never appear in an error");
    return err;
  }
  assert.fail("expected the call to fail");
}

describe("ArmClient", () => {
  let server: FakeArmServer;

  beforeEach(async () => {
    server = await startFakeArmServer();
    server.addEndpoint(endpointKey);
    server.addDeployment(endpointKey, "blue");
    server.addDeployment(endpointKey, "green");
  });
  afterEach(async () => {
    await server.close();
  });

  function putBody(traffic: Record<string, number>): unknown {
    return { location: "westeurope", properties: { authMode: "Key", traffic } };
  }

  it("GETs with the bearer token and the api-version", async () => {
    const resource = await clientFor(server, fakeClock()).get(endpointPath, apiVersion);
    assert.equal((resource as { name: string }).name, "support-classifier");
    assert.equal(server.requests[0].hasBearer, true);
    assert.equal(server.requests[0].query["api-version"], apiVersion);
    assert.ok(server.bearerTokens.has(testToken));
  });

  it("answers undefined from getIfExists on 404 and throws ARM's error from get", async () => {
    const client = clientFor(server, fakeClock());
    const missing = endpointPath.replace("support-classifier", "nope");
    assert.equal(await client.getIfExists(missing, apiVersion), undefined);
    const err = await armErrorOf(client.get(missing, apiVersion));
    assert.equal(err.status, 404);
    assert.equal(err.code, "ResourceNotFound");
  });

  it("surfaces 401 with ARM's code and does not retry it", async () => {
    const err = await armErrorOf(clientFor(server, fakeClock(), { getToken: async () => "" }).get(endpointPath, apiVersion));
    assert.equal(err.status, 401);
    assert.equal(err.code, "AuthenticationFailed");
    assert.equal(server.requests.length, 1);
  });

  it("does not retry a token failure and sends nothing", async () => {
    const client = clientFor(server, fakeClock(), {
      getToken: async () => {
        throw new Error("no credential");
      },
    });
    const err = await armErrorOf(client.get(endpointPath, apiVersion));
    assert.equal(err.code, "CredentialUnavailable");
    assert.equal(server.requests.length, 0);
  });

  it("follows Azure-AsyncOperation until Succeeded and returns the resource as ARM then reports it", async () => {
    server.pollsBeforeDone = 2;
    const clock = fakeClock();
    const result = await clientFor(server, clock).put(endpointPath, apiVersion, putBody({ blue: 100 }));
    assert.deepEqual(trafficOf(result), { blue: 100 });
    const polls = server.requests.filter((r) => r.path.includes("mfeOperationsStatus"));
    assert.equal(polls.length, 3);
    assert.deepEqual(clock.sleeps, [5_000, 5_000, 5_000]);
  });

  it("surfaces a Failed async operation with ARM's code and message", async () => {
    server.outcome = { status: "Failed", code: "DeploymentNotReady", message: "Deployment blue is not ready" };
    const err = await armErrorOf(clientFor(server, fakeClock()).put(endpointPath, apiVersion, putBody({ blue: 100 })));
    assert.equal(err.code, "DeploymentNotReady");
    assert.equal(err.armMessage, "Deployment blue is not ready");
    assert.match(err.message, /DeploymentNotReady: Deployment blue is not ready/);
    assert.deepEqual(trafficOf(server.endpoint(endpointKey)), {});
  });

  it("follows a Location header until the operation result is no longer 202", async () => {
    server.putMode = "location";
    server.pollsBeforeDone = 2;
    const result = await clientFor(server, fakeClock()).put(endpointPath, apiVersion, putBody({ green: 100 }));
    assert.deepEqual(trafficOf(result), { green: 100 });
    assert.equal(server.requests.filter((r) => r.path.includes("mfeOperationResults")).length, 3);
  });

  it("surfaces a failed Location operation with ARM's code", async () => {
    server.putMode = "location";
    server.outcome = { status: "Failed", code: "InternalServerError", message: "boom" };
    const err = await armErrorOf(clientFor(server, fakeClock()).put(endpointPath, apiVersion, putBody({ green: 100 })));
    assert.equal(err.code, "InternalServerError");
  });

  it("polls the resource while a synchronous answer reports a non-terminal provisioningState", async () => {
    server.putMode = "provisioningState";
    server.pollsBeforeDone = 1;
    const result = await clientFor(server, fakeClock()).put(endpointPath, apiVersion, putBody({ blue: 100 }));
    assert.deepEqual(trafficOf(result), { blue: 100 });
    assert.equal((result as { properties: { provisioningState: string } }).properties.provisioningState, "Succeeded");
  });

  it("honours Retry-After between polls", async () => {
    server.pollsBeforeDone = 2;
    server.pollRetryAfter = "7";
    const clock = fakeClock();
    await clientFor(server, clock).put(endpointPath, apiVersion, putBody({ blue: 100 }));
    assert.deepEqual(clock.sleeps, [7_000, 7_000, 7_000]);
  });

  it("retries 429 after the Retry-After ARM sent", async () => {
    server.injectFault({ kind: "status", status: 429, code: "TooManyRequests", retryAfter: "3" });
    const clock = fakeClock();
    await clientFor(server, clock).get(endpointPath, apiVersion);
    assert.deepEqual(clock.sleeps, [3_000]);
    assert.equal(server.requests.length, 2);
  });

  it("reads the wait from retry-after-ms like the LLM client does (one retry policy)", async () => {
    server.injectFault({ kind: "status", status: 429, code: "TooManyRequests", retryAfterMs: "1250", retryAfter: "2" });
    const clock = fakeClock();
    await clientFor(server, clock).get(endpointPath, apiVersion);
    assert.deepEqual(clock.sleeps, [1_250]);
  });

  it("retries a 500 once with jittered exponential backoff", async () => {
    server.injectFault({ kind: "status", status: 500, code: "InternalServerError" });
    server.injectFault({ kind: "status", status: 503, code: "ServiceUnavailable" });
    const clock = fakeClock();
    await clientFor(server, clock, { random: () => 0.999999 }).get(endpointPath, apiVersion);
    // base 1 s then 2 s; with equal jitter each wait is in [step/2, step].
    assert.equal(clock.sleeps.length, 2);
    assert.ok(clock.sleeps[0] >= 500 && clock.sleeps[0] <= 1_000);
    assert.ok(clock.sleeps[1] >= 1_000 && clock.sleeps[1] <= 2_000);
  });

  it("retries a dropped connection", async () => {
    server.injectFault({ kind: "drop" });
    const resource = await clientFor(server, fakeClock()).get(endpointPath, apiVersion);
    assert.equal((resource as { name: string }).name, "support-classifier");
  });

  it("gives up on persistent 5xx after maxAttempts with ARM's code", async () => {
    for (let i = 0; i < 5; i++) server.injectFault({ kind: "status", status: 500, code: "InternalServerError", message: "down" });
    const clock = fakeClock();
    const err = await armErrorOf(clientFor(server, clock, { retry: { maxAttempts: 3 } }).get(endpointPath, apiVersion));
    assert.equal(err.status, 500);
    assert.equal(err.code, "InternalServerError");
    assert.equal(server.requests.length, 3);
  });

  it("does not retry other 4xx", async () => {
    server.injectFault({ kind: "status", status: 400, code: "BadArgument", message: "bad" });
    const err = await armErrorOf(clientFor(server, fakeClock()).get(endpointPath, apiVersion));
    assert.equal(err.code, "BadArgument");
    assert.equal(server.requests.length, 1);
  });

  it("retries 409 while another operation is in progress, then succeeds", async () => {
    server.beginForeignOperation(endpointKey, 2);
    const clock = fakeClock();
    const result = await clientFor(server, clock).put(endpointPath, apiVersion, putBody({ blue: 100 }));
    assert.deepEqual(trafficOf(result), { blue: 100 });
    assert.equal(server.puts().length, 4); // two refused, a third that finished the foreign operation, ours
  });

  it("bounds 409 retries and then surfaces the conflict", async () => {
    server.beginForeignOperation(endpointKey, 100);
    const err = await armErrorOf(
      clientFor(server, fakeClock(), { retry: { conflictAttempts: 3 } }).put(endpointPath, apiVersion, putBody({ blue: 100 })),
    );
    assert.equal(err.status, 409);
    assert.equal(server.puts().length, 4);
  });

  it("does not retry a 409 that is a real conflict", async () => {
    server.injectFault({ kind: "status", status: 409, code: "RoleAssignmentExists", message: "The role assignment already exists." });
    const err = await armErrorOf(clientFor(server, fakeClock()).get(endpointPath, apiVersion));
    assert.equal(err.code, "RoleAssignmentExists");
    assert.equal(server.requests.length, 1);
  });

  it("gives up on an operation that never ends, bounded by the operation timeout", async () => {
    server.pollsBeforeDone = 1_000;
    const clock = fakeClock();
    const err = await armErrorOf(
      clientFor(server, clock, { operationTimeoutMs: 20_000 }).put(endpointPath, apiVersion, putBody({ blue: 100 })),
    );
    assert.equal(err.code, "OperationTimedOut");
    assert.ok(clock.sleeps.length <= 6);
  });

  it("follows nextLink pages of a list", async () => {
    for (const name of ["c1", "c2", "c3"]) server.addDeployment(endpointKey, name);
    server.deploymentsPageSize = 2;
    const items = await clientFor(server, fakeClock()).list(`${endpointPath}/deployments`, apiVersion);
    assert.deepEqual(items.map((d) => (d as { name: string }).name).sort(), ["blue", "c1", "c2", "c3", "green"]);
    assert.equal(server.requests.length, 3);
  });

  describe("token confinement", () => {
    let other: Server;
    let otherHits = 0;
    before(async () => {
      other = createServer((_req, res) => {
        otherHits++;
        res.end("{}");
      });
      await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    });
    after(async () => {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    });

    it("refuses to poll an operation URL on another origin, so the token never leaves ARM", async () => {
      server.operationOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      const err = await armErrorOf(clientFor(server, fakeClock()).put(endpointPath, apiVersion, putBody({ blue: 100 })));
      assert.equal(err.code, "UntrustedUrl");
      assert.equal(otherHits, 0);
    });
  });
});
