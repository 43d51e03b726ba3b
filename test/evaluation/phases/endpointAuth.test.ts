import * as assert from "node:assert/strict";
import { ArmClient } from "../../../src/azure/arm/armClient";
import { endpointAuth } from "../../../src/evaluation/phases/endpointAuth";
import { listKeysPath, readEndpointKey, type StackDeployment } from "../../../src/evaluation/phases";
import { UserError } from "../../../src/core/userError";
import { FakeArmServer } from "../../support/fakeArmServer";

const key = { subscriptionId: "00000000-0000-0000-0000-00000000000a", resourceGroupName: "rg-ml", workspaceName: "mlw", endpointName: "ticket-ep" };
const workspaceId = `/subscriptions/${key.subscriptionId}/resourceGroups/${key.resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/${key.workspaceName}`;

function stack(authMode: "Key" | "AADToken", withKubernetes = false): StackDeployment {
  const endpoint = { kind: "managed" as const, name: key.endpointName, authMode, deployments: [{ name: "blue", role: "current" as const }], testFile: "/t.json", workspaceId };
  const kubernetes = { ...endpoint, kind: "kubernetes" as const, name: "ticket-aks" };
  return { stack: "s", environment: "dev", endpoints: withKubernetes ? [endpoint, kubernetes] : [endpoint] };
}

describe("evaluationRun: endpoint auth", () => {
  let arm: FakeArmServer;
  let client: ArmClient;
  before(async () => {
    arm = await new FakeArmServer().start();
    arm.addEndpoint(key);
    arm.setEndpointKeys(key, { primaryKey: "primary-3c1d", secondaryKey: "secondary-9e0f" });
    client = new ArmClient({ baseUrl: arm.baseUrl, getToken: async () => "arm-token", clock: { now: () => 0, sleep: async () => undefined }, random: () => 0 });
  });
  after(() => arm.close());

  it("reads the primary key with POST .../onlineEndpoints/{name}/listKeys", async () => {
    assert.equal(await readEndpointKey(client, workspaceId, key.endpointName), "primary-3c1d");
    const request = arm.requests.at(-1)!;
    assert.equal(request.method, "POST");
    assert.equal(request.path, listKeysPath(workspaceId, key.endpointName));
    assert.ok(request.hasBearer);
  });

  it("turns ARM's refusal into a UserError that says how to fix it, without the key", async () => {
    await assert.rejects(readEndpointKey(client, workspaceId, "missing-ep"), (err: unknown) => err instanceof UserError && /LLMOPS_ENDPOINT_KEY/.test(err.message) && /not found/.test(err.message));
  });

  it("prefers LLMOPS_ENDPOINT_KEY, asks ARM otherwise, and uses Entra ID for AADToken endpoints", async () => {
    let armCalls = 0;
    const counting = () => {
      armCalls++;
      return client;
    };
    assert.deepEqual(await endpointAuth(stack("Key"), key.endpointName, { environment: { LLMOPS_ENDPOINT_KEY: "from-env" }, arm: counting }), { kind: "key", key: "from-env" });
    assert.equal(armCalls, 0);
    assert.deepEqual(await endpointAuth(stack("Key"), key.endpointName, { environment: {}, arm: counting }), { kind: "key", key: "primary-3c1d" });
    assert.equal(armCalls, 1);
    const credential = { getToken: async () => ({ token: "entra-token", expiresOnTimestamp: Date.now() + 3_600_000 }) };
    const entra = await endpointAuth(stack("AADToken"), key.endpointName, { environment: { LLMOPS_ENDPOINT_KEY: "unused" }, arm: counting, credential: () => credential });
    assert.deepEqual(entra, { kind: "entra", credential });
    assert.equal(armCalls, 1);
  });

  it("takes each endpoint's own key variable on a stack with two endpoints, and refuses the ambiguous unnamed one", async () => {
    const arm = () => client;
    const both = stack("Key", true);
    const environment = { LLMOPS_ENDPOINT_KEY_TICKET_EP: "managed-key", LLMOPS_ENDPOINT_KEY_TICKET_AKS: "aks-key" };
    assert.deepEqual(await endpointAuth(both, "ticket-ep", { environment, arm }), { kind: "key", key: "managed-key" });
    assert.deepEqual(await endpointAuth(both, "ticket-aks", { environment, arm }), { kind: "key", key: "aks-key" });
    await assert.rejects(
      endpointAuth(both, "ticket-aks", { environment: { LLMOPS_ENDPOINT_KEY: "which-one" }, arm }),
      (err: unknown) => err instanceof UserError && /LLMOPS_ENDPOINT_KEY_TICKET_EP and LLMOPS_ENDPOINT_KEY_TICKET_AKS/.test(err.message) && !err.message.includes("which-one"),
    );
    assert.deepEqual(await endpointAuth(both, "ticket-ep", { environment: {}, arm }), { kind: "key", key: "primary-3c1d" }, "read from ARM when CI gives none");
  });
});
