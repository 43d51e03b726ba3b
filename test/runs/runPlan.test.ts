import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatDuration } from "../../src/core/formatDuration";
import { loadConnectionsFile } from "../../src/config/experiment/connectionsFile";
import { readRunManifest, writeRunManifest, type RunManifest } from "../../src/runs/runManifest";
import { planRuns, runDirectoryName, variantText, type DatasetToRun } from "../../src/runs/runPlan";
import { formatRunTable } from "../../src/runs/runTable";
import { ConfigError, UserError } from "../../src/core/userError";
import { formatRunErrors } from "../../src/runs/runTable";

describe("run plan", () => {
  const datasets: DatasetToRun[] = [
    { name: "bulk", data: "/d/bulk.jsonl", mappings: {} },
    { name: "eval", data: "/d/eval.jsonl", mappings: { q: "${data.q}" } },
  ];

  it("runs every dataset with every variant, dataset-major, in named directories", () => {
    const runs = planRuns(datasets, [{ label: { classify: "zero_shot" } }, { label: { classify: "few_shot" } }]);
    assert.deepEqual(
      runs.map((run) => [run.name, run.dataset.name, run.variantText]),
      [
        ["bulk__classify.zero_shot", "bulk", "classify.zero_shot"],
        ["bulk__classify.few_shot", "bulk", "classify.few_shot"],
        ["eval__classify.zero_shot", "eval", "classify.zero_shot"],
        ["eval__classify.few_shot", "eval", "classify.few_shot"],
      ],
    );
  });

  it("names a flow without variants 'default' and joins product labels", () => {
    assert.equal(variantText({}), "default");
    assert.equal(runDirectoryName("bulk", variantText({ a: "x", b: "y" })), "bulk__a.x+b.y");
  });

  it("keeps directory names file-system safe", () => {
    assert.equal(runDirectoryName("my data/set", "n.v 1"), "my_data_set__n.v_1");
  });

  it("refuses a plan whose directory names collide", () => {
    const clash = [
      { name: "a b", data: "/x", mappings: {} },
      { name: "a/b", data: "/y", mappings: {} },
    ];
    assert.throws(() => planRuns(clash, [{ label: {} }]), /collide/);
  });
});

describe("run table", () => {
  it("prints one aligned row per run with lines, failures, tokens, p95 and duration", () => {
    const table = formatRunTable([
      { name: "eval__classify.zero_shot", summary: { status: "Completed", total: 1200, completed: 1195, failed: 5, usage: { prompt: 1, completion: 2, total: 123456 }, duration_ms: 83_000, latency_ms: { p50: 1, p95: 850, p99: 900 }, errors: [] } },
      { name: "bulk__x", summary: { status: "Aborted", total: 7, completed: 7, failed: 0, usage: { prompt: 0, completion: 0, total: 0 }, duration_ms: 1500, latency_ms: { p50: 0, p95: 2400, p99: 0 }, errors: [] } },
    ]);
    assert.equal(
      table,
      [
        "RUN                       STATUS     LINES  FAILED   TOKENS     P95  DURATION",
        "eval__classify.zero_shot  Completed  1,200       5  123,456  850 ms    1m 23s",
        "bulk__x                   Aborted        7       0        0   2.4 s     1.5 s",
      ].join("\n"),
    );
  });

  it("lists each run's distinct errors with their count, first line and a one-line message", () => {
    const text = formatRunErrors([
      { name: "ok", summary: { failed: 0, errors: [] } },
      {
        name: "eval__x",
        summary: {
          failed: 7,
          errors: [
            { type: "NodeError", node: "classify", message: "HTTP 400:\n  bad request", count: 5, first_line: 2 },
            { type: "InputError", message: "no ticket_text", count: 1, first_line: 9 },
          ],
        },
      },
    ]);
    assert.equal(
      text,
      [
        "eval__x: 7 failed lines",
        "  5 x NodeError in node classify, first at line 2: HTTP 400: bad request",
        "  1 x InputError, first at line 9: no ticket_text",
        "  1 more with other errors (see records.jsonl)",
      ].join("\n"),
    );
  });

  it("formats durations for people", () => {
    assert.deepEqual([formatDuration(12), formatDuration(1234), formatDuration(61_000), formatDuration(3_600_000)], ["12 ms", "1.2 s", "1m 01s", "1h 00m"]);
  });
});

describe("run manifest", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-manifest-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("round-trips and leaves no temporary file", () => {
    const manifest: RunManifest = {
      version: 1,
      flow: "/f",
      created_at: "2026-11-24T10:00:00.000Z",
      runs: [{ name: "a__default", dataset: "a", data: "/a.jsonl", variant: {}, variant_text: "default", status: "Completed", total: 3, completed: 3, failed: 0 }],
    };
    writeRunManifest(dir, manifest);
    assert.deepEqual(readRunManifest(dir), manifest);
    assert.deepEqual(fs.readdirSync(dir), ["runs.json"]);
  });

  it("says how to get one when it is missing, and refuses other files", () => {
    assert.throws(() => readRunManifest(dir), /runs\.json: not found \(run `llmops run --out` first\)/);
    fs.writeFileSync(path.join(dir, "runs.json"), '{"version": 2, "runs": []}');
    assert.throws(() => readRunManifest(dir), /not a version 1 run manifest/);
  });
});

describe("connections file", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-connections-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const env = { BASE: "http://127.0.0.1:1", KEY: "k-secret-value" };

  it("reads a bare list or a connections: block (an experiment.yaml works)", () => {
    const list = path.join(dir, "list.yaml");
    fs.writeFileSync(list, "- name: local\n  connection_type: OpenAIConnection\n  base_url: ${BASE}/v1\n  api_key: ${KEY}\n");
    assert.deepEqual(loadConnectionsFile(list, env).local, { type: "open_ai", name: "local", baseUrl: "http://127.0.0.1:1/v1", apiKey: "k-secret-value", organization: undefined });
    const block = path.join(dir, "block.json");
    fs.writeFileSync(block, JSON.stringify({ connections: [{ name: "aoai", connection_type: "AzureOpenAIConnection", api_base: "${BASE}", api_version: "2024-10-21", auth_mode: "meid_token" }] }));
    assert.equal(loadConnectionsFile(block, env).aoai?.type, "azure_open_ai");
  });

  it("refuses other shapes, missing files and literal secrets", () => {
    const bad = path.join(dir, "bad.yaml");
    fs.writeFileSync(bad, "aoai: {}\n");
    assert.throws(() => loadConnectionsFile(bad, env), (err: unknown) => err instanceof ConfigError && /a list of connections/.test(err.expected));
    assert.throws(() => loadConnectionsFile(path.join(dir, "none.yaml"), env), (err: unknown) => err instanceof UserError && /not found/.test(err.message));
    fs.writeFileSync(bad, "- name: x\n  connection_type: OpenAIConnection\n  api_key: sk-literal-123\n");
    assert.throws(() => loadConnectionsFile(bad, env), (err: unknown) => err instanceof ConfigError && !err.message.includes("sk-literal-123"));
  });
});
