import * as assert from "node:assert/strict";
import { parseStackOutputs, stackTargets, explicitTargets, abPair, type StackDeployment } from "../../../src/evaluation/phases";
import { ConfigError, UserError } from "../../../src/core/userError";

const prod: StackDeployment = {
  stack: "prod",
  environment: "prod",
  endpoint: {
    name: "ticket-ep",
    authMode: "Key",
    deployments: [
      { name: "green", role: "current" },
      { name: "blue", role: "prior" },
    ],
    testFile: "/p/sample.json",
    workspaceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w",
  },
  webApp: { name: "app-ticket", testFile: "/p/sample-app.json" },
};

describe("evaluationRun: stack outputs and post-deployment targets", () => {
  it("reads the outputs the Pulumi program exports, deployment names falling back to the traffic keys", () => {
    const outputs = parseStackOutputs(
      { environment: "prod", endpointName: "ticket-ep", scoringUri: "https://ticket-ep.westeurope.inference.ml.azure.com/score", traffic: { blue: 90, green: 10 }, webAppUrl: "https://app.azurewebsites.net", modelId: "/x" },
      "outputs.json",
    );
    assert.deepEqual(outputs.deploymentNames, ["blue", "green"]);
    assert.equal(outputs.webAppName, undefined);
    assert.throws(() => parseStackOutputs([], "outputs.json"), ConfigError);
    assert.throws(() => parseStackOutputs({ traffic: { blue: "90" } }, "outputs.json"), /\$\.traffic\.blue: expected a number/);
    assert.throws(() => parseStackOutputs({ deploymentNames: "blue" }, "outputs.json"), /\$\.deploymentNames/);
    assert.throws(() => parseStackOutputs({ scoringUri: 42 }, "outputs.json"), /\$\.scoringUri: expected a string/);
  });

  it("targets the whole endpoint (smoke only), each deployment pinned, and the Web App; gates on the current build", () => {
    const targets = stackTargets(
      parseStackOutputs({ endpointName: "ticket-ep", scoringUri: "https://ep.example/score", deploymentNames: ["green", "blue"], webAppName: "app-ticket", webAppUrl: "https://app.example" }, "o"),
      prod,
    );
    assert.deepEqual(
      targets.map((t) => [t.name, t.role, t.deployment, t.evaluate, t.gating, t.auth, t.url, t.testFile]),
      [
        ["ticket-ep", "endpoint", undefined, false, false, "endpoint", "https://ep.example/score", "/p/sample.json"],
        ["ticket-ep:green", "current", "green", true, true, "endpoint", "https://ep.example/score", "/p/sample.json"],
        ["ticket-ep:blue", "prior", "blue", true, false, "endpoint", "https://ep.example/score", "/p/sample.json"],
        ["webapp:app-ticket", "webapp", undefined, true, true, "none", "https://app.example/score", "/p/sample-app.json"],
      ],
    );
    assert.deepEqual(abPair(targets), { endpoint: "ticket-ep", prior: "blue", current: "green" });
  });

  it("never gates on a deployment the config no longer names, and has no A/B pair with one deployment", () => {
    const targets = stackTargets(parseStackOutputs({ endpointName: "ticket-ep", scoringUri: "https://ep.example/score", deploymentNames: ["green", "old"] }, "o"), prod);
    assert.deepEqual(targets.map((t) => [t.name, t.gating]), [["ticket-ep", false], ["ticket-ep:green", true], ["ticket-ep:old", false]]);
    const single = stackTargets(parseStackOutputs({ endpointName: "ticket-ep", scoringUri: "https://ep.example/score", deploymentNames: ["green"] }, "o"), prod);
    assert.equal(abPair(single), undefined);
  });

  it("refuses outputs with nothing to call, and explicit targets given twice", () => {
    assert.throws(() => stackTargets(parseStackOutputs({ environment: "prod" }, "o"), prod), (err: unknown) => err instanceof UserError && /pulumi up/.test(err.message));
    assert.throws(() => explicitTargets(["https://a.example", "https://a.example/score"], "/p/s.json"), /given twice/);
    assert.deepEqual(explicitTargets(["https://a.example/v2/score"], "/p/s.json")[0]!.target, { kind: "url", name: "a.example/v2/score" });
    assert.throws(() => explicitTargets(["ftp://a.example"], "/p/s.json"), UserError);
  });
});
