/**
 * `llmops evaluate --phase post` end to end through the CLI on a stack with a managed and a Kubernetes online
 * endpoint (kubernetes_endpoint in deployment_config.json): both endpoints, each deployment alone and each A/B pair
 * are evaluated, the Kubernetes endpoint from the `kubernetes*` stack outputs; the managed endpoint's key comes
 * from its own LLMOPS_ENDPOINT_KEY_<NAME> variable, the Kubernetes endpoint's from Azure Resource Manager (listKeys).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FakeArmServer } from "../support/fakeArmServer";
import { startFakeScoringServer, type FakeScoringServer } from "../support/fakeScoringServer";
import { accurateFlow, allFiles, degradedFlow, latestRun, root, runCli, writeExperiment } from "../evaluation/phases/cliSupport";

const managedKey = "managed-key-7c41aa09e2";
const aksKey = "aks-primary-key-1b9e44d0";
const prodWorkspace = { subscriptionId: "3f2b8c1e-5d4a-4e6f-9b7c-0a1d2e3f4a5b", resourceGroupName: "rg-llmops-prod", workspaceName: "mlw-llmops-prod" };
const aksEndpoint = "ticket-classifier-aks-prod";

describe("llmops evaluate --phase post with a Kubernetes endpoint (end to end through the CLI)", function () {
  this.timeout(240_000);
  let tmp: string;
  const servers: { close(): Promise<void> }[] = [];
  after(async () => {
    await Promise.all(servers.map((server) => server.close()));
    if (tmp !== undefined) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("smoke-tests and evaluates the Kubernetes endpoint's deployments beside the managed ones, with an A/B table for each", async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-evaluate-aks-"));
    const experiment = writeExperiment(tmp, { gates: ["ticket_classification_eval.accuracy >= 0.85"] });
    const arm = await new FakeArmServer().start();
    servers.push(arm);
    arm.addEndpoint({ ...prodWorkspace, endpointName: aksEndpoint });
    arm.setEndpointKeys({ ...prodWorkspace, endpointName: aksEndpoint }, { primaryKey: aksKey, secondaryKey: "aks-secondary-key-unused" });
    const managed: FakeScoringServer = await startFakeScoringServer({ key: managedKey, deployments: { blue: accurateFlow, green: accurateFlow } });
    servers.push(managed);
    const aks: FakeScoringServer = await startFakeScoringServer({ key: aksKey, deployments: { blue: degradedFlow, green: accurateFlow } });
    servers.push(aks);

    const config = JSON.parse(fs.readFileSync(path.join(root, "config", "deployment_config.json"), "utf8")) as Record<string, unknown>;
    delete config.$schema;
    config.kubernetes_endpoint = [
      {
        ENV_NAME: "prod",
        TEST_FILE_PATH: "flows/data/sample-request.json",
        ENDPOINT_NAME: aksEndpoint,
        ENDPOINT_DESC: "Support ticket classifier on AKS",
        DEPLOYMENT_DESC: "Support ticket classifier",
        PRIOR_DEPLOYMENT_NAME: "blue",
        PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION: "90",
        CURRENT_DEPLOYMENT_NAME: "green",
        CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: "10",
        COMPUTE_NAME: "aks-prod",
        DEPLOYMENT_VM_SIZE: "defaultinstancetype",
        DEPLOYMENT_INSTANCE_COUNT: 1,
        CPU_ALLOCATION: "500m",
        MEMORY_ALLOCATION: "1Gi",
        ENVIRONMENT_VARIABLES: {},
      },
    ];
    const configFile = path.join(tmp, "deployment_config.aks.json");
    fs.writeFileSync(configFile, JSON.stringify(config));
    const outputs = path.join(tmp, "prod.outputs.json");
    fs.writeFileSync(
      outputs,
      JSON.stringify({
        stack: "prod",
        environment: "prod",
        endpointName: "ticket-classifier-prod",
        scoringUri: managed.scoringUrl,
        deploymentNames: ["green", "blue"],
        traffic: { blue: 90, green: 10 },
        kubernetesEndpointName: aksEndpoint,
        kubernetesScoringUri: aks.scoringUrl,
        kubernetesDeploymentNames: ["green", "blue"],
        kubernetesTraffic: { blue: 90, green: 10 },
      }),
    );

    const out = path.join(tmp, "out");
    const env = {
      LLMOPS_ENDPOINT_KEY_TICKET_CLASSIFIER_PROD: managedKey,
      LLMOPS_ARM_ENDPOINT: arm.baseUrl,
      IDENTITY_ENDPOINT: `${arm.baseUrl}/msi/token`,
      IDENTITY_HEADER: arm.identityHeader,
    };
    const args = ["--phase", "post", "--stack", "prod", "--config", configFile, "--stack-outputs", outputs, "--experiment", experiment, "--out", out];
    const result = await runCli(args, env);
    assert.equal(result.code, 0, result.stdout + result.stderr);

    const run = latestRun(out);
    const smoke = run.metrics.gates.filter((gate) => gate.kind === "smoke").map((gate) => [gate.target_label, gate.passed]);
    assert.deepEqual(smoke, [
      ["ticket-classifier-prod", true],
      ["ticket-classifier-prod:green", true],
      ["ticket-classifier-prod:blue", true],
      [aksEndpoint, true],
      [`${aksEndpoint}:green`, true],
      [`${aksEndpoint}:blue`, true],
    ]);
    const accuracy = Object.fromEntries(
      run.metrics.gates
        .filter((gate) => gate.gate === "ticket_classification_eval.accuracy >= 0.85")
        .map((gate) => [(gate.target_label ?? "").replace(/ \(.*\)$/, ""), [gate.passed, gate.skipped === true]]),
    );
    assert.deepEqual(accuracy[`${aksEndpoint}:green`], [true, false], "the Kubernetes current deployment gates");
    assert.deepEqual(accuracy[`${aksEndpoint}:blue`], [true, true], "the Kubernetes prior deployment is shown, not gating");
    const markdown = run.file("report.md");
    assert.match(markdown, /### A\/B: ticket-classifier-prod prior vs current deployment/);
    assert.match(markdown, new RegExp(`### A/B: ${aksEndpoint} prior vs current deployment`));

    // Each endpoint is called with its own key: the managed one from its variable, the Kubernetes one from listKeys.
    assert.ok(managed.requests.length > 90 && managed.requests.every((request) => request.headers.authorization === `Bearer ${managedKey}`));
    assert.ok(aks.requests.length > 90 && aks.requests.every((request) => request.headers.authorization === `Bearer ${aksKey}`));
    const listKeys = arm.requests.filter((request) => request.path.endsWith("/listKeys"));
    assert.deepEqual(listKeys.map((request) => request.path), [`/subscriptions/${prodWorkspace.subscriptionId}/resourceGroups/${prodWorkspace.resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/${prodWorkspace.workspaceName}/onlineEndpoints/${aksEndpoint}/listKeys`]);
    for (const text of [result.stdout, result.stderr, ...allFiles(out).map((file) => file.text)]) {
      assert.ok(!text.includes(managedKey) && !text.includes(aksKey), "no endpoint key in output or reports");
    }
  });
});
