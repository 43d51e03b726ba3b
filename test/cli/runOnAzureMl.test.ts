/**
 * `llmops run --on azureml` end to end: the real CLI uploads to Azurite, submits command jobs to the local Azure ML
 * jobs service, which validates each body against ARM's definitions and runs it (`llmops run-shard` per instance as
 * a process), and merges the mini-batches into the same run folder a local run writes. Faults: an instance dies
 * mid mini-batch, a job fails, storage answers 503, the caller is interrupted; no line is lost or duplicated.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { jsonLines, startCli } from "../support/cliProcess";
import { cpuBoundFlow, startScaleOut, writeCpuDataset, type ScaleOut } from "../support/scaleOut";


/**
 * What must be identical between a local run and one on Azure ML: everything but timings and where the flow's files
 * were (a Python traceback names the job's copy of the flow).
 */
function comparable(runDir: string): { outputs: unknown[]; summary: Record<string, unknown> } {
  const withoutFlowPaths = <T>(value: T): T => JSON.parse(JSON.stringify(value).replace(/File \\"[^"\\]*\/([^/"\\]+\.py)\\"/g, 'File \\"$1\\"')) as T;
  const outputs = jsonLines(path.join(runDir, "outputs.jsonl")).map(({ duration_ms: _duration, ...rest }) => withoutFlowPaths(rest));
  const { duration_ms: _d, started_at: _s, finished_at: _f, latency_ms: _l, data: _data, ...summary } = JSON.parse(fs.readFileSync(path.join(runDir, "summary.json"), "utf8")) as Record<string, unknown>;
  return { outputs, summary: withoutFlowPaths(summary) };
}

/** The flow fails every line whose id ends in 7 (10%): allowed, so the command exits 0. */
const budget = ["--max-failed", "20%"];
const onAzureMl = ["--on", "azureml", "--stack", "dev", "--poll-interval", "0.1", ...budget];

describe("llmops run --on azureml (end to end against Azurite and the local jobs service)", function () {
  this.timeout(240_000);
  let services: ScaleOut;
  let tmp: string;
  let data: string;
  let local: { outputs: unknown[]; summary: Record<string, unknown> };

  before(async () => {
    services = await startScaleOut();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-azureml-"));
    data = path.join(tmp, "tickets.jsonl");
    writeCpuDataset(data, 120);
    const result = await startCli(["run", "--flow", cpuBoundFlow, "--data", data, "--out", path.join(tmp, "local"), ...budget], {}).done;
    assert.equal(result.code, 0, result.stderr);
    local = comparable(path.join(tmp, "local", "tickets__default"));
  });
  after(async () => {
    await services.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("runs the dataset as one job per instance and writes the run folder a local run writes", async () => {
    const out = path.join(tmp, "cloud");
    const result = await startCli(["run", "--flow", cpuBoundFlow, "--data", data, "--out", out, ...onAzureMl, "--instances", "3", "--mini-batch-size", "10", "--concurrency", "4"], services.env).done;
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(comparable(path.join(out, "tickets__default")), local);
    const submitted = services.jobs.submitted;
    assert.equal(submitted.length, 3);
    for (const { body } of submitted) {
      const properties = body.properties as Record<string, unknown>;
      assert.equal(properties.computeId, `${services.jobs.workspaceId}/computes/${services.plan.clusterName}`);
      assert.equal(properties.environmentId, services.plan.environmentId);
      assert.deepEqual(properties.identity, { identityType: "Managed", resourceId: services.plan.identityId });
    }
    assert.match(result.stderr, /instances busy/);
  });

  it("uploads an unchanged dataset and flow once: a second run finds them by their content address", async () => {
    const before = await blobNames(services, "llmops/data/");
    const out = path.join(tmp, "again");
    const result = await startCli(["run", "--flow", cpuBoundFlow, "--data", data, "--out", out, ...onAzureMl, "--instances", "2", "--mini-batch-size", "40"], services.env).done;
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await blobNames(services, "llmops/data/"), before);
    assert.equal(before.length, 1);
    assert.deepEqual(comparable(path.join(out, "tickets__default")), local);
  });

  it("re-runs exactly the lines of an instance that died mid mini-batch, and of a job that failed", async () => {
    const out = path.join(tmp, "faults");
    const firstJob = services.jobs.submitted.length;
    services.jobs.faults.push({ kind: "killInstance", jobNameEndsWith: "-0", afterFiles: 1 }, { kind: "failJob", jobNameEndsWith: "-2", message: "node preempted" });
    try {
      const result = await startCli(["run", "--flow", cpuBoundFlow, "--data", data, "--out", out, ...onAzureMl, "--instances", "3", "--mini-batch-size", "10", "--concurrency", "2"], services.env).done;
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /ended Failed/);
    } finally {
      services.jobs.faults.length = 0;
    }
    // Attempt 2 ran only what attempt 1 did not finish: fewer lines than the dataset.
    const attempts = services.jobs.submitted.slice(firstJob).map(({ body }) => (body.properties as { tags: Record<string, string> }).tags["llmops-attempt"]);
    assert.ok(attempts.includes("2"), `attempts ${attempts.join(",")}`);
    const runDir = path.join(out, "tickets__default");
    const records = jsonLines(path.join(runDir, "records.jsonl")).map((record) => record.line_number as number);
    assert.equal(new Set(records).size, records.length, "a line has two records");
    assert.deepEqual(comparable(runDir), local);
  });

  it("retries storage answering 503 and loses nothing", async () => {
    const out = path.join(tmp, "busy-storage");
    services.storageFaults.remaining = 6;
    services.storageFaults.answered = 0;
    const result = await startCli(["run", "--flow", cpuBoundFlow, "--data", data, "--out", out, ...onAzureMl, "--instances", "2", "--mini-batch-size", "30"], services.env).done;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(services.storageFaults.answered, 6);
    assert.deepEqual(comparable(path.join(out, "tickets__default")), local);
  });

  it("Ctrl-C cancels the jobs and keeps finished mini-batches; --resume submits only the rest", async () => {
    // Slow lines (about 40 ms each), so the jobs are still running when the caller is interrupted.
    const slow = path.join(tmp, "slow.jsonl");
    fs.writeFileSync(slow, Array.from({ length: 60 }, (_, id) => JSON.stringify({ id, text: `slow ${id}`, rounds: 50_000 })).join("\n") + "\n");
    const localRun = await startCli(["run", "--flow", cpuBoundFlow, "--data", slow, "--out", path.join(tmp, "slow-local"), ...budget], {}).done;
    assert.equal(localRun.code, 0, localRun.stderr);
    const out = path.join(tmp, "interrupted");
    const runDir = path.join(out, "slow__default");
    const firstJob = services.jobs.submitted.length;
    const { child, done } = startCli(["run", "--flow", cpuBoundFlow, "--data", slow, "--out", out, ...onAzureMl, "--instances", "2", "--mini-batch-size", "4", "--concurrency", "1"], services.env);
    await waitFor(() => fs.existsSync(path.join(runDir, "records.jsonl")) && jsonLines(path.join(runDir, "records.jsonl")).length >= 8, "some merged mini-batches");
    child.kill("SIGINT");
    const stopped = await done;
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.match(stopped.stderr, /cancelled 2 job/);
    await services.jobs.idle();
    const jobs = services.jobs.submitted.slice(firstJob).map(({ name }) => services.jobs.jobs.get(name)!.status);
    assert.deepEqual(jobs, ["Canceled", "Canceled"]);
    const kept = jsonLines(path.join(runDir, "records.jsonl")).length;
    assert.ok(kept >= 8 && kept < 60, `kept ${kept}`);
    assert.equal((JSON.parse(fs.readFileSync(path.join(runDir, "summary.json"), "utf8")) as { status: string }).status, "Aborted");

    const resumedFrom = services.jobs.submitted.length;
    const resumed = await startCli(["run", "--flow", cpuBoundFlow, "--data", slow, "--out", out, ...onAzureMl, "--instances", "2", "--mini-batch-size", "10", "--resume"], services.env).done;
    assert.equal(resumed.code, 0, resumed.stderr);
    // The resumed attempt's spec lists only lines without a Completed record.
    const spec = await specOf(services, services.jobs.submitted[resumedFrom].body);
    const pending = (spec.pending as [number, number][]).reduce((sum, [start, end]) => sum + end - start, 0);
    assert.ok(pending < 60 && pending <= 60 - kept + 6, `pending ${pending} after ${kept} kept records`);
    const records = jsonLines(path.join(runDir, "records.jsonl")).filter((record) => record.status === "Completed").map((record) => record.line_number as number);
    assert.equal(new Set(records).size, records.length, "a completed line ran twice");
    assert.deepEqual(comparable(runDir), comparable(path.join(tmp, "slow-local", "slow__default")));
  });

  it("cancels the jobs once more lines failed than --max-failed allows (exit 1), keeping what finished", async () => {
    const out = path.join(tmp, "over-budget");
    const firstJob = services.jobs.submitted.length;
    const result = await startCli(["run", "--flow", cpuBoundFlow, "--data", data, "--out", out, "--on", "azureml", "--stack", "dev", "--poll-interval", "0.1", "--max-failed", "2", "--instances", "2", "--mini-batch-size", "10", "--concurrency", "1"], services.env).done;
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /more than 2 lines failed \(--max-failed\); cancelled the jobs|had more than 2 failed lines/);
    await services.jobs.idle();
    const statuses = services.jobs.submitted.slice(firstJob).map(({ name }) => services.jobs.jobs.get(name)!.status);
    assert.ok(statuses.every((status) => status === "Canceled" || status === "Failed"), statuses.join(","));
    const summary = JSON.parse(fs.readFileSync(path.join(out, "tickets__default", "summary.json"), "utf8")) as { status: string; failed: number; total: number };
    assert.equal(summary.status, "Aborted");
    assert.ok(summary.failed > 2 && summary.failed < 12, `failed ${summary.failed}`);
  });

  it("--dry-run --json prints every ARM and blob request with its body, sends none and shows no secret", async () => {
    const submittedBefore = services.jobs.submitted.length;
    const result = await startCli(["run", "--flow", cpuBoundFlow, "--data", data, "--out", path.join(tmp, "dry"), ...onAzureMl, "--instances", "2", "--dry-run", "--json"], {
      ...services.env,
      IDENTITY_ENDPOINT: "http://127.0.0.1:9/unreachable",
    }).done;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(services.jobs.submitted.length, submittedBefore);
    const { requests } = JSON.parse(result.stdout) as { requests: { service: string; method: string; url: string; body?: Record<string, unknown> }[] };
    const puts = requests.filter((request) => request.service === "arm" && request.method === "PUT");
    assert.equal(puts.length, 2);
    assert.match(puts[0].url, /\/jobs\/llmops-tickets__default-.*-0\?api-version=2025-12-01$/);
    assert.equal((puts[0].body!.properties as Record<string, unknown>).jobType, "Command");
    const uploads = requests.filter((request) => request.service === "blob" && request.method === "PUT").map((request) => request.url);
    assert.ok(uploads.some((url) => /^azureml:\/\/datastores\/workspaceblobstore\/paths\/llmops\/data\/[0-9a-f]{64}\/tickets\.jsonl$/.test(url)), uploads.join("\n"));
    assert.ok(uploads.some((url) => url.endsWith("/spec.json")));
    assert.doesNotMatch(result.stdout, new RegExp(services.env.LLMOPS_BLOB_ACCOUNT_KEY.slice(0, 20).replace(/[+/]/g, ".")));
  });

  it("refuses Azure ML options without --on azureml, and --on azureml without a stack", async () => {
    const local = await startCli(["run", "--flow", cpuBoundFlow, "--data", data, "--out", path.join(tmp, "x"), "--instances", "2"], {}).done;
    assert.equal(local.code, 2);
    assert.match(local.stderr, /--instances applies to --on azureml only/);
    const noStack = await startCli(["run", "--flow", cpuBoundFlow, "--data", data, "--out", path.join(tmp, "x"), "--on", "azureml"], {}).done;
    assert.equal(noStack.code, 2);
    assert.match(noStack.stderr, /--on azureml needs --stack/);
  });
});

async function blobNames(services: ScaleOut, prefix: string): Promise<string[]> {
  const names: string[] = [];
  const container = services.azurite.service.getContainerClient(containerOf(services));
  for await (const blob of container.listBlobsFlat({ prefix })) names.push(blob.name);
  return names.sort();
}

function containerOf(services: ScaleOut): string {
  return services.jobs.containerName;
}

async function specOf(services: ScaleOut, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const uri = String(((body.properties as Record<string, unknown>).inputs as Record<string, { uri: string }>).spec.uri);
  const blob = uri.replace(/^azureml:\/\/datastores\/[^/]+\/paths\//, "");
  const text = (await services.azurite.service.getContainerClient(containerOf(services)).getBlockBlobClient(blob).downloadToBuffer()).toString("utf8");
  return JSON.parse(text) as Record<string, unknown>;
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 1200; attempt++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}
