/**
 * `llmops evaluate --phase post` end to end through the CLI against local stand-ins of a deployed stack: a managed
 * endpoint with two deployments of different quality (fakeScoringServer), a Web App, and Azure Resource Manager
 * (fakeArmServer, with its managed-identity token endpoint standing in for DefaultAzureCredential).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createMetricsEntry, serializeMetricsFile, type MetricsEntry } from "../../src/evaluation";
import { FakeArmServer } from "../support/fakeArmServer";
import { startFakeScoringServer, type DeploymentRule, type FakeScoringServer } from "../support/fakeScoringServer";
import { accurateFlow, allFiles, degradedFlow, latestRun, missingOutputFlow, root, runCli, writeExperiment } from "../evaluation/phases/cliSupport";

const endpointKey = "ep-key-5d1c0ffee9a7b3";
const prodEndpoint = "ticket-classifier-prod";
const prodWorkspace = { subscriptionId: "3f2b8c1e-5d4a-4e6f-9b7c-0a1d2e3f4a5b", resourceGroupName: "rg-llmops-prod", workspaceName: "mlw-llmops-prod" };
const injection = `<img src=x onerror=alert(1)> my invoice is wrong </script><script>alert(2)</script>`;
const deployedVariant = "classify.zero_shot";

function entry(entries: MetricsEntry[], id: string): MetricsEntry {
  const found = entries.find((candidate) => candidate.id === id);
  assert.ok(found, `no metrics entry ${id} (have ${entries.map((e) => e.id).join(", ")})`);
  return found;
}

/** A pre-deployment metrics.json for the deployed variant, as `--phase pre` writes it. */
function writePreBaseline(file: string, accuracy: number): void {
  const base = { dataset: "ticket_eval", variant: deployedVariant, target: { kind: "flow" as const }, lines: 48, failed: 0 };
  const targets = [
    createMetricsEntry({ ...base, evaluator: "ticket_classification_eval", metrics: { accuracy, macro_f1: accuracy - 0.01 } }),
    createMetricsEntry({ ...base, evaluator: "category_match", metrics: { exact_match: accuracy } }),
    createMetricsEntry({ ...base, evaluator: "run", metrics: { error_rate: 0, p95_latency_ms: 900 } }),
  ];
  fs.writeFileSync(file, serializeMetricsFile({ version: 1, phase: "pre", run_id: "pre-20261124T080000Z-0a0a", created_at: "2026-11-24T08:00:00.000Z", targets, gates: [] }));
}

describe("llmops evaluate --phase post (end to end through the CLI)", function () {
  this.timeout(240_000);
  let tmp: string;
  let experiment: string;
  const servers: { close(): Promise<void> }[] = [];

  async function endpoint(deployments: Record<string, DeploymentRule>, auth: { key?: string; bearerToken?: string } = { key: endpointKey }): Promise<FakeScoringServer> {
    const server = await startFakeScoringServer({ ...auth, deployments });
    servers.push(server);
    return server;
  }
  async function webApp(): Promise<FakeScoringServer> {
    const server = await startFakeScoringServer({ kind: "webapp", deployments: { app: accurateFlow } });
    servers.push(server);
    return server;
  }
  function outputsFile(name: string, outputs: Record<string, unknown>): string {
    const file = path.join(tmp, `${name}.outputs.json`);
    fs.writeFileSync(file, JSON.stringify(outputs));
    return file;
  }
  function prodOutputs(name: string, scoring: FakeScoringServer, app?: FakeScoringServer): string {
    return outputsFile(name, {
      stack: "prod",
      environment: "prod",
      endpointName: prodEndpoint,
      scoringUri: scoring.scoringUrl,
      deploymentNames: ["green", "blue"],
      traffic: { blue: 90, green: 10 },
      ...(app ? { webAppName: "app-ticket-classifier-prod", webAppUrl: app.url } : {}),
    });
  }

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-evaluate-post-"));
    experiment = writeExperiment(tmp, {
      gates: ["ticket_classification_eval.accuracy >= 0.85", "error_rate <= 0.02"],
      extraEvalRows: [{ id: "eval-inject", ticket_text: injection, customer_tier: "standard", category: "billing" }],
    });
    writePreBaseline(path.join(tmp, "pre-good.json"), 0.97);
  });
  after(async () => {
    await Promise.all(servers.map((server) => server.close()));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("evaluates the endpoint, each A/B deployment and the Web App; gates on the current build; A/B and deployed-vs-pre tables (exit 0)", async () => {
    const scoring = await endpoint({ blue: degradedFlow, green: accurateFlow });
    const app = await webApp();
    const out = path.join(tmp, "ab");
    const args = ["--phase", "post", "--stack", "prod", "--stack-outputs", prodOutputs("ab", scoring, app), "--experiment", experiment, "--baseline", path.join(tmp, "pre-good.json"), "--out", out];
    const result = await runCli(args, { LLMOPS_ENDPOINT_KEY: endpointKey });
    assert.equal(result.code, 0, result.stdout + result.stderr);

    const run = latestRun(out);
    const green = entry(run.metrics.targets, `ticket_eval/ticket_classification_eval@${prodEndpoint}:green`);
    const blue = entry(run.metrics.targets, `ticket_eval/ticket_classification_eval@${prodEndpoint}:blue`);
    entry(run.metrics.targets, "ticket_eval/ticket_classification_eval@webapp:app-ticket-classifier-prod");
    assert.ok(green.metrics.accuracy > 0.95 && blue.metrics.accuracy < 0.7, `green ${green.metrics.accuracy}, blue ${blue.metrics.accuracy}`);
    assert.equal(green.variant, deployedVariant);

    const smoke = run.metrics.gates.filter((gate) => gate.kind === "smoke");
    assert.deepEqual(smoke.map((gate) => [gate.target_label, gate.passed]), [
      [prodEndpoint, true],
      [`${prodEndpoint}:green`, true],
      [`${prodEndpoint}:blue`, true],
      ["webapp:app-ticket-classifier-prod", true],
    ]);
    const accuracyGates = run.metrics.gates.filter((gate) => gate.gate === "ticket_classification_eval.accuracy >= 0.85");
    const byTarget = Object.fromEntries(accuracyGates.map((gate): [string, [boolean, boolean]] => [String(gate.target_label), [gate.passed, gate.skipped === true]]));
    assert.deepEqual(byTarget[`${prodEndpoint}:green (${deployedVariant})`], [true, false]);
    assert.deepEqual(byTarget[`webapp:app-ticket-classifier-prod (${deployedVariant})`], [true, false]);
    // The prior deployment misses the bar but serves the previous build: shown, not gating.
    assert.deepEqual(byTarget[`${prodEndpoint}:blue (${deployedVariant})`], [true, true]);
    const versusPre = run.metrics.gates.filter((gate) => gate.kind === "deployed_vs_pre");
    assert.ok(versusPre.length >= 4 && versusPre.every((gate) => gate.passed), JSON.stringify(versusPre));

    const markdown = run.file("report.md");
    assert.match(markdown, /### A\/B: ticket-classifier-prod prior vs current deployment/);
    assert.match(markdown, /\| Metric \| blue \| green \| Delta \| Verdict \|/);
    assert.ok(markdown.includes(`Deployed vs pre-deployment: ${prodEndpoint}:green`));
    const html = run.file("report.html");
    assert.ok(html.includes(`${prodEndpoint}:blue`) && html.includes(`${prodEndpoint}:green`));
    assert.ok(!html.includes("<img src=x") && !html.includes("</script><script>alert(2)"), "injected markup is live in report.html");

    // Key auth on every endpoint call; deployments pinned by header except the traffic-split smoke test.
    assert.ok(scoring.requests.every((request) => request.headers.authorization === `Bearer ${endpointKey}`));
    assert.equal(scoring.requests.filter((request) => request.headers["azureml-model-deployment"] === undefined).length, 1);
    for (const deployment of ["blue", "green"]) {
      assert.equal(scoring.requests.filter((request) => request.headers["azureml-model-deployment"] === deployment).length, 1 + 44 + 49);
    }
    assert.ok(app.requests.every((request) => request.headers.authorization === undefined));
    // The key never reaches output or any file the evaluation wrote.
    assert.ok(!result.stdout.includes(endpointKey) && !result.stderr.includes(endpointKey));
    for (const { file, text } of allFiles(out)) assert.ok(!text.includes(endpointKey), `the key is in ${file}`);
  });

  it("fails (exit 1) when the current deployment is worse than the pre-deployment run and the gates, still writing the reports", async () => {
    const scoring = await endpoint({ blue: accurateFlow, green: degradedFlow });
    const out = path.join(tmp, "worse");
    const args = ["--phase", "post", "--stack", "prod", "--stack-outputs", prodOutputs("worse", scoring), "--experiment", experiment, "--baseline", path.join(tmp, "pre-good.json"), "--out", out];
    const result = await runCli(args, { LLMOPS_ENDPOINT_KEY: endpointKey });
    assert.equal(result.code, 1, result.stderr);
    const run = latestRun(out);
    const failed = run.metrics.gates.filter((gate) => !gate.passed);
    assert.ok(failed.some((gate) => gate.kind === "threshold" && gate.target_label === `${prodEndpoint}:green (${deployedVariant})`));
    const drop = failed.find((gate) => gate.kind === "deployed_vs_pre" && gate.metric === "ticket_eval/ticket_classification_eval.accuracy");
    assert.ok(drop, JSON.stringify(failed));
    assert.equal(drop.baseline, 0.97);
    assert.ok(failed.every((gate) => !String(gate.target_label).includes(":blue")), "the prior deployment never fails the gate");
    assert.ok(result.stdout.includes("gates failed"));
    assert.match(run.file("junit.xml"), /<failure/);
  });

  it("fails the smoke test (exit 1) when a deployment lacks a declared output; that deployment is not bulk-evaluated", async () => {
    const scoring = await endpoint({ blue: missingOutputFlow });
    const out = path.join(tmp, "smoke");
    const outputs = outputsFile("smoke", { environment: "dev", endpointName: "ticket-classifier-dev", scoringUri: scoring.scoringUrl, deploymentNames: ["blue"], traffic: { blue: 100 } });
    const result = await runCli(["--phase", "post", "--stack", "dev", "--stack-outputs", outputs, "--experiment", experiment, "--out", out], { LLMOPS_ENDPOINT_KEY: endpointKey });
    assert.equal(result.code, 1, result.stderr);
    const run = latestRun(out);
    const smoke = run.metrics.gates.filter((gate) => gate.kind === "smoke");
    assert.equal(smoke.length, 2);
    assert.ok(smoke.every((gate) => !gate.passed && gate.reason.includes("escalation")), JSON.stringify(smoke));
    assert.equal(run.metrics.targets.length, 0);
    assert.equal(scoring.requests.length, 2);
    assert.match(run.file("junit.xml"), /smoke test: ticket-classifier-dev:blue/);
    assert.ok(result.stdout.includes("gates failed"));
  });

  it("reads the endpoint key from Azure Resource Manager (listKeys) with DefaultAzureCredential when LLMOPS_ENDPOINT_KEY is unset", async () => {
    const arm = await new FakeArmServer().start();
    servers.push(arm);
    const key = { ...prodWorkspace, endpointName: prodEndpoint };
    arm.addEndpoint(key);
    arm.setEndpointKeys(key, { primaryKey: "arm-primary-key-81f2e4", secondaryKey: "arm-secondary-key-0c9d" });
    const scoring = await endpoint({ blue: accurateFlow, green: accurateFlow }, { key: "arm-primary-key-81f2e4" });
    const out = path.join(tmp, "arm");
    const env = { LLMOPS_ARM_ENDPOINT: arm.baseUrl, IDENTITY_ENDPOINT: `${arm.baseUrl}/msi/token`, IDENTITY_HEADER: arm.identityHeader };
    const result = await runCli(["--phase", "post", "--stack", "prod", "--stack-outputs", prodOutputs("arm", scoring), "--experiment", experiment, "--out", out], env);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const listKeys = arm.requests.filter((request) => request.path.endsWith("/listKeys"));
    assert.equal(listKeys.length, 1);
    assert.equal(listKeys[0].method, "POST");
    assert.equal(listKeys[0].query["api-version"], "2025-12-01");
    assert.deepEqual([...arm.bearerTokens], [arm.msiToken]);
    assert.ok(scoring.requests.every((request) => request.headers.authorization === "Bearer arm-primary-key-81f2e4"));
    for (const text of [result.stdout, result.stderr, ...allFiles(out).map((file) => file.text)]) assert.ok(!text.includes("arm-primary-key-81f2e4"));
  });

  it("calls an AADToken endpoint with an Entra ID token (DefaultAzureCredential), never a key", async () => {
    const arm = await new FakeArmServer().start();
    servers.push(arm);
    const config = JSON.parse(fs.readFileSync(path.join(root, "config", "deployment_config.json"), "utf8")) as { azure_managed_endpoint: Record<string, unknown>[] };
    delete (config as Record<string, unknown>).$schema;
    for (const entry of config.azure_managed_endpoint) if (entry.ENV_NAME === "prod") entry.AUTH_MODE = "aad_token";
    const configFile = path.join(tmp, "deployment_config.aad.json");
    fs.writeFileSync(configFile, JSON.stringify(config));
    const scoring = await endpoint({ blue: accurateFlow, green: accurateFlow }, { bearerToken: arm.msiToken });
    const out = path.join(tmp, "aad");
    const env = { IDENTITY_ENDPOINT: `${arm.baseUrl}/msi/token`, IDENTITY_HEADER: arm.identityHeader, LLMOPS_ARM_ENDPOINT: arm.baseUrl };
    const args = ["--phase", "post", "--stack", "prod", "--config", configFile, "--stack-outputs", prodOutputs("aad", scoring), "--experiment", experiment, "--out", out];
    const result = await runCli(args, env);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.ok(scoring.requests.length > 90);
    assert.ok(scoring.requests.every((request) => request.headers.authorization === `Bearer ${arm.msiToken}`));
    assert.equal(arm.requests.filter((request) => request.path.endsWith("/listKeys")).length, 0);
  });

  it("retries 429/500 and timeouts, and fails the error-rate gate (exit 1) on a malformed JSON answer", async () => {
    // The smoke test meets a 429 and retries; once it has its answer, the bulk lines meet the other faults.
    let armed = false;
    const armingFlow: DeploymentRule = (inputs) => {
      if (!armed) {
        armed = true;
        app?.fail({ kind: "malformed" }, { kind: "status", status: 500 }, { kind: "hang" });
      }
      return accurateFlow(inputs);
    };
    const app = await startFakeScoringServer({ kind: "webapp", deployments: { app: armingFlow } });
    servers.push(app);
    app.fail({ kind: "status", status: 429, headers: { "retry-after": "1" } });
    const out = path.join(tmp, "faults");
    const outputs = outputsFile("faults", { environment: "dev", webAppName: "app-ticket-classifier-dev", webAppUrl: app.url });
    const result = await runCli(["--phase", "post", "--stack", "dev", "--stack-outputs", outputs, "--experiment", experiment, "--timeout", "1", "--out", out], {});
    assert.equal(result.code, 1, result.stderr);
    const run = latestRun(out);
    assert.deepEqual(run.metrics.gates.filter((gate) => gate.kind === "smoke").map((gate) => gate.passed), [true]);
    const bulk = entry(run.metrics.targets, "ticket_bulk/run@webapp:app-ticket-classifier-dev");
    const evalRun = entry(run.metrics.targets, "ticket_eval/run@webapp:app-ticket-classifier-dev");
    assert.equal(bulk.failed + evalRun.failed, 1);
    const failed = run.metrics.gates.filter((gate) => !gate.passed);
    assert.equal(failed.length, 1);
    assert.equal(failed[0].gate, "error_rate <= 0.02");
    assert.match(run.file("results.csv"), /MalformedResponse/);
    // smoke + its retry, every line once, one retry after the 500 and one after the timeout
    assert.equal(app.requests.length, 2 + 44 + 49 + 2);
  });

  it("evaluates an explicit --target URL instead of the stack's outputs", async () => {
    const app = await webApp();
    const out = path.join(tmp, "target");
    const result = await runCli(["--phase", "post", "--stack", "dev", "--target", app.url, "--experiment", experiment, "--out", out], {});
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const run = latestRun(out);
    const host = new URL(app.url).host;
    const accuracy = entry(run.metrics.targets, `ticket_eval/ticket_classification_eval@url:${host}`);
    assert.deepEqual(accuracy.target, { kind: "url", name: host });
    assert.ok(accuracy.metrics.accuracy > 0.95);
    assert.ok(app.requests.every((request) => request.path === "/score"));
  });
});
