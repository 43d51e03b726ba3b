import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { EndpointTraffic, endpointTrafficModule, endpointTrafficType } from "../../src/infra/endpointTraffic";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

describe("EndpointTraffic resource (Pulumi mocks)", () => {
  const registered: Registered[] = [];

  before(() => {
    void pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
          return { id: `${args.name}-id`, state: args.inputs as Record<string, unknown> };
        },
        call: (args) => args.inputs as Record<string, unknown>,
      },
      "llmops",
      "test",
      false,
    );
  });

  it("registers under its own type token with the serialised provider and no mirror by default", async () => {
    const traffic = new EndpointTraffic("endpoint-traffic", {
      subscriptionId: "00000000-0000-0000-0000-000000000001",
      resourceGroupName: "rg",
      workspaceName: "ws",
      endpointName: pulumi.output("support-classifier"),
      traffic: { blue: 90, green: pulumi.output(10) },
    });
    assert.deepEqual(await valueOf(traffic.traffic), { blue: 90, green: 10 });
    assert.deepEqual(await valueOf(traffic.mirrorTraffic), {});
    const entry = registered.find((r) => r.name === "endpoint-traffic");
    assert.ok(entry);
    assert.equal(entry.type, `pulumi-nodejs:dynamic/${endpointTrafficModule}:${endpointTrafficType}`);
    assert.equal(entry.inputs.endpointName, "support-classifier");
    assert.equal(typeof entry.inputs.__provider, "string");
    assert.match(String(entry.inputs.__provider), /exports\.handler/);
  });
});
