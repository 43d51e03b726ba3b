import * as assert from "node:assert/strict";
import { parseStackOutputs, stackTargets, explicitTargets, abPairs, type StackDeployment } from "../../../src/evaluation/phases";
import { ConfigError, UserError } from "../../../src/core/userError";

const managed: StackDeployment["endpoints"][number] = {
  kind: "managed",
  name: "ticket-ep",
  authMode: "Key",
  deployments: [
    { name: "green", role: "current" },
    { name: "blue", role: "prior" },
  ],
  testFile: "/p/sample.json",
  workspaceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w",
};

const prod: StackDeployment = {
  stack: "prod",
  environment: "prod",
  endpoints: [managed],
  webApp: { name: "app-ticket", testFile: "/p/sample-app.json" },
};

describe("evaluationRun: stack outputs and post-deployment targets", () => {
  it("reads the outputs the Pulumi program exports, deployment names falling back to the traffic keys", () => {
    const outputs = parseStackOutputs(
      { environment: "prod", endpointName: "ticket-ep", scoringUri: "https://ticket-ep.westeurope.inference.ml.azure.com/score", traffic: { blue: 90, green: 10 }, webAppUrl: "https://app.azurewebsites.net", modelId: "/x" },
      "outputs.json",
    );
    assert.deepEqual(outputs.endpoints.map((e) => [e.kind, e.endpointName, e.deploymentNames]), [["managed", "ticket-ep", ["blue", "green"]]]);
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
    assert.deepEqual(abPairs(targets), [{ endpoint: "ticket-ep", prior: "blue", current: "green" }]);
  });

  it("never gates on a deployment the config no longer names, and has no A/B pair with one deployment", () => {
    const targets = stackTargets(parseStackOutputs({ endpointName: "ticket-ep", scoringUri: "https://ep.example/score", deploymentNames: ["green", "old"] }, "o"), prod);
    assert.deepEqual(targets.map((t) => [t.name, t.gating]), [["ticket-ep", false], ["ticket-ep:green", true], ["ticket-ep:old", false]]);
    const single = stackTargets(parseStackOutputs({ endpointName: "ticket-ep", scoringUri: "https://ep.example/score", deploymentNames: ["green"] }, "o"), prod);
    assert.deepEqual(abPairs(single), []);
  });

  it("targets a Kubernetes endpoint and its deployments from the kubernetes* outputs, with an A/B pair per endpoint", () => {
    const aks: StackDeployment["endpoints"][number] = { ...managed, kind: "kubernetes", name: "ticket-aks", testFile: "/p/aks.json" };
    const outputs = parseStackOutputs(
      {
        endpointName: "ticket-ep",
        scoringUri: "https://ep.example/score",
        deploymentNames: ["green", "blue"],
        kubernetesEndpointName: "ticket-aks",
        kubernetesScoringUri: "https://aks.example/score",
        kubernetesTraffic: { green: 10, blue: 90 },
      },
      "o",
    );
    const targets = stackTargets(outputs, { stack: "prod", environment: "prod", endpoints: [managed, aks] });
    assert.deepEqual(
      targets.filter((t) => t.name.startsWith("ticket-aks")).map((t) => [t.name, t.role, t.gating, t.auth, t.url, t.testFile]),
      [
        ["ticket-aks", "endpoint", false, "endpoint", "https://aks.example/score", "/p/aks.json"],
        ["ticket-aks:green", "current", true, "endpoint", "https://aks.example/score", "/p/aks.json"],
        ["ticket-aks:blue", "prior", false, "endpoint", "https://aks.example/score", "/p/aks.json"],
      ],
    );
    assert.deepEqual(abPairs(targets), [
      { endpoint: "ticket-ep", prior: "blue", current: "green" },
      { endpoint: "ticket-aks", prior: "blue", current: "green" },
    ]);
    assert.throws(() => parseStackOutputs({ kubernetesTraffic: { blue: "90" } }, "o"), /\$\.kubernetesTraffic\.blue: expected a number/);
    assert.throws(
      () => stackTargets(parseStackOutputs({ kubernetesScoringUri: "https://aks.example/score" }, "o"), prod),
      (err: unknown) => err instanceof UserError && /no kubernetes_endpoint entry for 'prod'/.test(err.message),
    );
  });

  it("refuses outputs with nothing to call, and explicit targets given twice", () => {
    assert.throws(() => stackTargets(parseStackOutputs({ environment: "prod" }, "o"), prod), (err: unknown) => err instanceof UserError && /pulumi up/.test(err.message));
    assert.throws(() => explicitTargets(["https://a.example", "https://a.example/score"], "/p/s.json"), /given twice/);
    assert.deepEqual(explicitTargets(["https://a.example/v2/score"], "/p/s.json")[0].target, { kind: "url", name: "a.example/v2/score" });
    assert.throws(() => explicitTargets(["ftp://a.example"], "/p/s.json"), UserError);
  });
});
