/**
 * `llmops evaluate --phase pre --on azureml` end to end: the sample experiment's flow runs (both variants, both
 * datasets) go through the local Azure ML jobs service, whose jobs call the fake OpenAI server with the key they read
 * from (fake) Key Vault with their managed identity; evaluators, gates and reports then run on the merged run
 * folders, and the metrics equal those of the same evaluation run locally.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fakeOpenAiServer";
import { latestRun, runCli, variantClassifier } from "../evaluation/phases/cliSupport";
import { startScaleOut, type ScaleOut } from "../support/scaleOut";

const apiKey = "aoai-key-scaleout-51d0";

describe("llmops evaluate --phase pre --on azureml (end to end)", function () {
  this.timeout(300_000);
  let openAi: FakeOpenAiServer;
  let services: ScaleOut;
  let tmp: string;

  before(async () => {
    openAi = await startFakeOpenAiServer({ apiKey, answer: variantClassifier });
    services = await startScaleOut({ secrets: { "aoai-api-key": apiKey } });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-evaluate-azureml-"));
  });
  after(async () => {
    await services.close();
    await openAi.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("gives the metrics and gate results of the local evaluation, without the model key on the caller's machine", async () => {
    // --stack dev: the stack's experiment and environment overlay, locally and on Azure ML alike.
    const local = await runCli(["--phase", "pre", "--stack", "dev", "--out", path.join(tmp, "local")], { AOAI_API_BASE: openAi.url, AOAI_API_KEY: apiKey });
    // The sample's gates fail on the zero-shot default variant of this fake model (exit 1): the same must hold remotely.
    assert.ok(local.code === 0 || local.code === 1, local.stderr);
    const requestsLocal = openAi.requests.length;

    // No AOAI_API_KEY here: the jobs read it from Key Vault.
    const cloud = await runCli(["--phase", "pre", "--out", path.join(tmp, "cloud"), "--on", "azureml", "--stack", "dev", "--instances", "2", "--mini-batch-size", "8", "--poll-interval", "0.1"], {
      ...services.env,
      AOAI_API_BASE: openAi.url,
    });
    assert.equal(cloud.code, local.code, cloud.stderr);
    assert.equal(openAi.requests.length, 2 * requestsLocal, "the jobs made the same model calls as the local run");

    // Timings differ between machines; every other figure must not.
    const strip = (run: ReturnType<typeof latestRun>): unknown => ({
      targets: run.metrics.targets.map((entry) => ({ ...entry, metrics: Object.fromEntries(Object.entries(entry.metrics).filter(([name]) => !/latency|duration/.test(name))) })),
      gates: run.metrics.gates.map((gate) => (/latency/.test(gate.gate) ? { gate: gate.gate, passed: gate.passed, target_id: gate.target_id } : gate)),
    });
    assert.deepEqual(strip(latestRun(path.join(tmp, "cloud"))), strip(latestRun(path.join(tmp, "local"))));
    // Every run of the evaluation went through jobs: 2 datasets x 2 variants, 2 instances each.
    assert.equal(services.jobs.submitted.length, 8);
    for (const { body } of services.jobs.submitted) {
      const text = JSON.stringify(body);
      assert.ok(!text.includes(apiKey), "the model key is in a job definition");
      const env = (body.properties as { environmentVariables: Record<string, string> }).environmentVariables;
      assert.equal(env.AOAI_API_BASE, openAi.url);
      assert.equal(env.LLMOPS_KEY_VAULT_URL, services.env.LLMOPS_KEY_VAULT_URL);
    }
  });
});
