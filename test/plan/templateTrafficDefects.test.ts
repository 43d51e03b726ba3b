import assert from "node:assert/strict";
import { parseDeploymentConfig } from "../../src/config/loadDeploymentConfig";
import { ConfigError } from "../../src/core/userError";
import { deploymentConfig, projectsRemovedAfterSuite, managedEntry, plan } from "./fixtures";

/** The LLMOps template's traffic defects (llmops-template.md), each impossible here. */
describe("the template's traffic defects", () => {
  const project = projectsRemovedAfterSuite();
  const planFor = (entry: Record<string, unknown>) => {
    const p = project(deploymentConfig({ managed: [entry] }));
    return plan(p).endpoint!;
  };

  it("honours PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION instead of giving the prior 100 - current", () => {
    const endpoint = planFor(
      managedEntry({ PRIOR_DEPLOYMENT_NAME: "blue", PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION: "75", CURRENT_DEPLOYMENT_NAME: "green", CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: "25" }),
    );
    assert.equal(endpoint.traffic.blue, 75);
    // And a prior allocation that disagrees with the current one is an error, not silently replaced.
    const mismatched = deploymentConfig({
      managed: [managedEntry({ PRIOR_DEPLOYMENT_NAME: "blue", PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION: "30", CURRENT_DEPLOYMENT_NAME: "green", CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: "90" })],
    });
    assert.throws(
      () => parseDeploymentConfig(JSON.stringify(mismatched), "deployment_config.json"),
      (err: unknown) => err instanceof ConfigError && /sum to 100/.test(err.message),
    );
  });

  it("never makes an empty prior name a traffic key", () => {
    const endpoint = planFor(managedEntry({ PRIOR_DEPLOYMENT_NAME: "", PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION: "" }));
    assert.deepEqual(Object.keys(endpoint.traffic), ["blue"]);
    assert.ok(!("" in endpoint.traffic));
    assert.equal(endpoint.deployments.length, 1);
  });

  it("rejects prior == current instead of zeroing the deployment", () => {
    const config = deploymentConfig({
      managed: [managedEntry({ PRIOR_DEPLOYMENT_NAME: "blue", PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION: "0", CURRENT_DEPLOYMENT_NAME: "blue", CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: "100" })],
    });
    assert.throws(
      () => parseDeploymentConfig(JSON.stringify(config), "deployment_config.json"),
      (err: unknown) => err instanceof ConfigError && err.jsonPath === "$.azure_managed_endpoint[0].PRIOR_DEPLOYMENT_NAME" && /different from CURRENT_DEPLOYMENT_NAME/.test(err.message),
    );
  });

  it("keeps every declared deployment in the traffic map when deployments rotate", () => {
    // blue/green → green/red: the map always names exactly the deployments the plan declares, summing to 100,
    // so no deployment that exists is left out of the traffic update.
    for (const [prior, current] of [["blue", "green"], ["green", "red"]] as const) {
      const endpoint = planFor(
        managedEntry({ PRIOR_DEPLOYMENT_NAME: prior, PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION: 60, CURRENT_DEPLOYMENT_NAME: current, CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: 40 }),
      );
      assert.deepEqual(Object.keys(endpoint.traffic).sort(), endpoint.deployments.map((d) => d.name).sort());
      assert.equal(Object.values(endpoint.traffic).reduce((a, b) => a + b, 0), 100);
    }
  });
});
