import assert from "node:assert/strict";
import { endpointPutBody, trafficStateOf } from "../../src/infra/traffic/onlineEndpointResource";
import { sameTrafficState, trafficProblems } from "../../src/infra/traffic/trafficRules";

describe("endpoint traffic rules", () => {
  const reasons = (traffic: Record<string, number>, mirrorTraffic: Record<string, number> = {}): string[] =>
    trafficProblems({ traffic, mirrorTraffic }).map((p) => `${p.property}: ${p.reason}`);

  it("accepts splits that sum to 100 with a mirror of at most 50 to an idle deployment", () => {
    assert.deepEqual(reasons({ blue: 90, green: 10 }), []);
    assert.deepEqual(reasons({ blue: 100, green: 0 }, { green: 50 }), []);
  });

  it("refuses an empty split: it would route 0% everywhere", () => {
    assert.match(reasons({}).join("\n"), /traffic: is empty/);
  });

  it("refuses sums other than 100, fractions, negatives and empty names", () => {
    assert.match(reasons({ blue: 90, green: 5 }).join("\n"), /sums to 95, expected 100/);
    assert.match(reasons({ blue: 99.5, green: 0.5 }).join("\n"), /traffic\.blue: must be a whole percent/);
    assert.match(reasons({ blue: 110, green: -10 }).join("\n"), /traffic\.green: must be a whole percent/);
    assert.match(reasons({ "": 100 }).join("\n"), /empty name/);
  });

  it("refuses mirrors above 50% or to a deployment already taking live traffic", () => {
    assert.match(reasons({ blue: 100 }, { green: 60 }).join("\n"), /mirrorTraffic: sums to 60/);
    assert.match(reasons({ blue: 90, green: 10 }, { green: 10 }).join("\n"), /mirrorTraffic\.green: .*10% live traffic/);
  });

  it("treats a deployment at 0% like one left out", () => {
    assert.equal(sameTrafficState({ traffic: { blue: 100, green: 0 }, mirrorTraffic: {} }, { traffic: { blue: 100 }, mirrorTraffic: {} }), true);
    assert.equal(sameTrafficState({ traffic: { blue: 90, green: 10 }, mirrorTraffic: {} }, { traffic: { blue: 100 }, mirrorTraffic: {} }), false);
    assert.equal(sameTrafficState({ traffic: { blue: 100 }, mirrorTraffic: { green: 10 } }, { traffic: { blue: 100 }, mirrorTraffic: {} }), false);
  });

  it("builds a PUT body that keeps every writable field and drops read-only ones", () => {
    const current = {
      id: "/subscriptions/s/.../onlineEndpoints/e",
      name: "e",
      type: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
      systemData: { createdBy: "x" },
      location: "westeurope",
      kind: "Managed",
      tags: { env: "dev" },
      sku: { name: "Default" },
      identity: {
        type: "SystemAssigned,UserAssigned",
        principalId: "p",
        tenantId: "t",
        userAssignedIdentities: { "/subscriptions/s/.../uami": { principalId: "p2", clientId: "c2" } },
      },
      properties: {
        authMode: "AADToken",
        description: "d",
        publicNetworkAccess: "Disabled",
        compute: null,
        properties: { team: "ml" },
        traffic: { blue: 100 },
        mirrorTraffic: {},
        provisioningState: "Succeeded",
        scoringUri: "https://e/score",
        swaggerUri: "https://e/swagger.json",
        keys: null,
      },
    };
    const body = endpointPutBody(current, { traffic: { blue: 80, green: 20 }, mirrorTraffic: {} });
    assert.deepEqual(body, {
      location: "westeurope",
      kind: "Managed",
      tags: { env: "dev" },
      sku: { name: "Default" },
      identity: { type: "SystemAssigned,UserAssigned", userAssignedIdentities: { "/subscriptions/s/.../uami": {} } },
      properties: {
        authMode: "AADToken",
        description: "d",
        publicNetworkAccess: "Disabled",
        properties: { team: "ml" },
        traffic: { blue: 80, green: 20 },
        mirrorTraffic: {},
      },
    });
    assert.deepEqual(trafficStateOf(body), { traffic: { blue: 80, green: 20 }, mirrorTraffic: {} });
  });
});
