import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEndpointBenchArgs } from "./endpoint";
import { expectedPasses, ticketRow } from "./endpointDataset";
import { startBenchEndpoint, type BenchEndpoint } from "./endpointServer";
import { evaluateAgainstEndpoint } from "./ourEvaluate";

const dispatcher = join(__dirname, "run.ts");

describe("endpoint benchmark", () => {
  let dir: string;
  let endpoint: BenchEndpoint;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "bench-endpoint-test-"));
    endpoint = await startBenchEndpoint(1);
  });
  after(async () => {
    await endpoint.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("our path scores every row through the scoring target and exact match", async () => {
    const data = join(dir, "data.jsonl");
    await writeFile(data, Array.from({ length: 50 }, (_, i) => JSON.stringify(ticketRow(i))).join("\n"));
    const before = endpoint.answered();
    const result = await evaluateAgainstEndpoint({ data, scoringUrl: endpoint.scoringUrl, concurrency: 8, runDir: join(dir, "run") });
    assert.equal(endpoint.answered() - before, 50, "one request per row");
    assert.equal(result.rows, 50);
    assert.equal(result.completed, 50);
    assert.equal(result.failed, 0);
    assert.equal(result.scored, 50);
    assert.equal(result.passed, expectedPasses(50));
  });

  it("the endpoint rejects what a scoring endpoint would reject", async () => {
    const notJson = await fetch(endpoint.scoringUrl, { method: "POST", body: "{" });
    assert.equal(notJson.status, 400);
    const wrongPath = await fetch(endpoint.scoringUrl.replace("/score", "/other"), { method: "POST", body: "{}" });
    assert.equal(wrongPath.status, 404);
  });

  it("reads its options, with the brief's defaults, and rejects bad values", () => {
    const defaults = parseEndpointBenchArgs([]);
    assert.deepEqual({ ...defaults, out: undefined, promptfooDir: undefined }, { rows: 4000, concurrency: 64, latencyMs: 20, runs: 3, skipPromptfoo: false, out: undefined, promptfooDir: undefined });
    assert.equal(parseEndpointBenchArgs(["--rows", "10", "--skip-promptfoo"]).rows, 10);
    assert.throws(() => parseEndpointBenchArgs(["--rows", "0"]), /--rows must be a whole number >= 1, found '0'/);
    assert.throws(() => parseEndpointBenchArgs(["--bogus"]), /Unknown option '--bogus'/);
  });

  it("npm run bench -- endpoint --skip-promptfoo prints the table and writes the JSON report", async () => {
    const out = join(dir, "report.json");
    const run = spawnSync(
      process.execPath,
      ["--require", "tsx/cjs", dispatcher, "endpoint", "--rows", "40", "--concurrency", "8", "--latency-ms", "2", "--runs", "2", "--skip-promptfoo", "--out", out],
      { encoding: "utf8", timeout: 120_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /\| llmops evaluate [^\n]*\| 40 +\| 8 +\| 2 +\|/);
    const report = JSON.parse(await readFile(out, "utf8")) as {
      settings: { rows: number };
      idealRowsPerSecond: number;
      tools: { tool: string; allRowsScored: boolean; passed: number; peakRssMb?: number }[];
      runs: { llmops: { endpointRequests: number }[]; promptfoo?: unknown[] };
    };
    assert.equal(report.settings.rows, 40);
    assert.equal(report.idealRowsPerSecond, 4000);
    assert.equal(report.tools.length, 1);
    assert.equal(report.tools[0].allRowsScored, true);
    assert.equal(report.tools[0].passed, expectedPasses(40));
    assert.ok((report.tools[0].peakRssMb ?? 0) > 0);
    assert.equal(report.runs.llmops.length, 2);
    assert.deepEqual(report.runs.llmops.map((run) => run.endpointRequests), [40, 40], "one request per row, counted by the endpoint");
    assert.equal(report.runs.promptfoo, undefined);
  });

  it("a bad option exits 2 with a one-line message", () => {
    const run = spawnSync(process.execPath, ["--require", "tsx/cjs", dispatcher, "endpoint", "--runs", "x"], { encoding: "utf8", timeout: 60_000 });
    assert.equal(run.status, 2);
    assert.equal(run.stderr.trim(), "endpoint benchmark: --runs must be a whole number >= 1, found 'x'");
  });
});
