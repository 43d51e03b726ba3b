/**
 * `llmops run` end to end: the real CLI (node src/cli/llmops.cjs) runs the sample flow against the fake OpenAI
 * server on 127.0.0.1, whose deterministic rule classifies tickets by keyword and answers with a confidence that
 * depends on the prompt variant, so each run's records prove which variant produced them.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseMappingArguments, parseRunArguments } from "../../src/cli/commands/run";
import { UserError } from "../../src/core/userError";
import { startFakeOpenAiServer, type FakeOpenAiServer, type FakeRequest } from "../support/fakeOpenAiServer";
import { jsonLines, startCli, type CliResult } from "../support/cliProcess";
import { classifyText } from "../evaluation/phases/cliSupport";

const root = path.resolve(__dirname, "../..");
const flowsDir = path.join(root, "flows");
const apiKey = "fake-key-e2e-0123456789";


function classify(request: FakeRequest): string {
  const messages = (request.body.messages ?? []) as { role: string; content: string }[];
  const lastUser = [...messages].reverse().find((message) => message.role === "user")?.content ?? "";
  const ticket = lastUser.replace(/^[\s\S]*?Ticket:\s*/, "").toLowerCase();
  const category = classifyText(ticket);
  const fewShot = messages.some((message) => message.role === "assistant");
  return JSON.stringify({ category, confidence: fewShot ? 0.9 : 0.75 });
}

function runCli(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  return startCli(args, env).done;
}

/** Polls until `condition` holds; bounded in attempts, so a broken run fails the test instead of hanging it. */
async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}


function readJson(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
}

function lineCount(file: string): number {
  return jsonLines(file).length;
}

describe("llmops run (end to end through the CLI)", function () {
  this.timeout(180_000);
  let server: FakeOpenAiServer;
  let tmp: string;
  let env: Record<string, string>;

  before(async () => {
    server = await startFakeOpenAiServer({ apiKey, answer: classify });
    env = { AOAI_API_BASE: server.url, AOAI_API_KEY: apiKey };
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-run-"));
    server.requests.length = 0;
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("--experiment --env dev runs every dataset x variant into its own run directory", async () => {
    const out = path.join(tmp, "runs");
    const result = await runCli(["run", "--experiment", path.join(flowsDir, "experiment.yaml"), "--env", "dev", "--out", out], env);
    assert.equal(result.code, 0, result.stderr);

    const expected = [
      ["ticket_bulk__classify.zero_shot", "bulk.jsonl", 0.75],
      ["ticket_bulk__classify.few_shot", "bulk.jsonl", 0.9],
      ["ticket_eval__classify.zero_shot", "eval.jsonl", 0.75],
      ["ticket_eval__classify.few_shot", "eval.jsonl", 0.9],
    ] as const;
    for (const [name, dataFile, confidence] of expected) {
      const runDir = path.join(out, name);
      const lines = lineCount(path.join(flowsDir, "data", dataFile));
      const summary = readJson(path.join(runDir, "summary.json"));
      assert.equal(summary.status, "Completed");
      assert.equal(summary.total, lines);
      assert.equal(summary.completed, lines, `${name}: ${JSON.stringify(jsonLines(path.join(runDir, "records.jsonl")).find((r) => r.status === "Failed"))}`);
      assert.deepEqual(summary.labels, { classify: name.endsWith("few_shot") ? "few_shot" : "zero_shot" });
      const outputs = jsonLines(path.join(runDir, "outputs.jsonl"));
      assert.deepEqual(outputs.map((record) => record.line_number), [...Array(lines).keys()]);
      for (const record of outputs) assert.equal((record.outputs as Record<string, unknown>).confidence, confidence);
      assert.match(result.stdout, new RegExp(`^${name.replace(/\./g, "\\.")}\\s+Completed\\s+${lines}\\s+0\\s`, "m"));
    }

    // The keyword rule labels the eval set well: the flow's outputs line up with the ground truth.
    const truth = jsonLines(path.join(flowsDir, "data/eval.jsonl")).map((row) => row.category);
    const predicted = jsonLines(path.join(out, "ticket_eval__classify.zero_shot", "outputs.jsonl")).map((r) => (r.outputs as Record<string, unknown>).category);
    const accuracy = predicted.filter((category, index) => category === truth[index]).length / truth.length;
    assert.ok(accuracy >= 0.8, `accuracy ${accuracy}`);

    const manifest = readJson(path.join(out, "runs.json"));
    assert.equal(manifest.env, "dev");
    assert.deepEqual((manifest.runs as { name: string }[]).map((run) => run.name), expected.map(([name]) => name));

    const total = expected.reduce((sum, [, dataFile]) => sum + lineCount(path.join(flowsDir, "data", dataFile)), 0);
    assert.equal(server.requests.length, total, "one model call per line and variant");
    for (const request of server.requests) {
      assert.equal(request.flavor, "azure");
      assert.equal(request.model, "gpt-4o-mini");
      assert.equal(request.headers["api-key"], apiKey);
    }
    assert.ok(!result.stdout.includes(apiKey) && !result.stderr.includes(apiKey), "the key is never printed");
  });

  it("--flow with --mapping, --variants and --connections; a failed line fails alone, is listed and exits 1", async () => {
    const data = path.join(tmp, "tickets.jsonl");
    fs.writeFileSync(
      data,
      [
        JSON.stringify({ text: "I was charged twice this month, please refund", tier: "premium" }),
        JSON.stringify({ text: "Everything is down for everyone in our office", tier: "enterprise" }),
        "",
        JSON.stringify({ text: "Would love a dark mode", tier: "free" }),
        JSON.stringify({ tier: "free" }), // no ticket: the flow has no default for it, so the line fails
      ].join("\n"),
    );
    const connections = path.join(tmp, "connections.yaml");
    fs.writeFileSync(connections, "- name: aoai\n  connection_type: AzureOpenAIConnection\n  api_base: ${AOAI_API_BASE}\n  api_version: '2024-10-21'\n  api_key: ${AOAI_API_KEY}\n");
    const out = path.join(tmp, "out");
    const result = await runCli(
      [
        "run",
        "--flow", path.join(flowsDir, "support_ticket_classifier"),
        "--data", data,
        "--mapping", "ticket_text=${data.text}",
        "--mapping", "customer_tier=${data.tier}",
        "--variants", "all",
        "--connections", connections,
        "--concurrency", "2",
        "--out", out,
      ],
      env,
    );
    assert.equal(result.code, 1, result.stderr);
    for (const variant of ["zero_shot", "few_shot"]) {
      const runDir = path.join(out, `tickets__classify.${variant}`);
      const summary = readJson(path.join(runDir, "summary.json"));
      assert.equal(summary.total, 4);
      assert.equal(summary.completed, 3);
      assert.equal(summary.failed, 1);
      const records = jsonLines(path.join(runDir, "outputs.jsonl"));
      assert.deepEqual(records.map((record) => record.status), ["Completed", "Completed", "Completed", "Failed"]);
      assert.match(JSON.stringify(records[3].error), /ticket_text|text/);
      const outputs = records.map((record) => record.outputs as Record<string, unknown>);
      assert.deepEqual([outputs[0].category, outputs[1].category, outputs[2].category], ["billing", "outage", "other"]);
      assert.equal(outputs[1].priority, "P1");
      assert.ok(outputs[1].escalation !== null, "the outage line ran the escalation node");
      assert.equal(outputs[0].escalation, null, "the billing line bypassed it");
      // The distinct errors close the output: count, first line and message, per run.
      assert.match(result.stdout, new RegExp(`tickets__classify\\.${variant}: 1 failed line\\n  1 x \\w+.*, first at line 3: .*ticket_text`));
    }
    assert.match(result.stdout, /tickets__classify\.zero_shot\s+Completed\s+4\s+1\s/);
    assert.match(result.stderr, /more than 0 failed lines \(--max-failed\)/);

    // A budget tolerates them: the same run with --max-failed 25% exits 0.
    server.requests.length = 0;
    const tolerated = await runCli(
      ["run", "--flow", path.join(flowsDir, "support_ticket_classifier"), "--data", data, "--mapping", "ticket_text=${data.text}", "--connections", connections, "--max-failed", "25%", "--out", path.join(tmp, "tolerated")],
      env,
    );
    assert.equal(tolerated.code, 0, tolerated.stderr);
    assert.match(tolerated.stdout, /1 failed line/);
  });

  it("--resume re-runs only the lines that did not complete", async () => {
    const data = path.join(tmp, "tickets.jsonl");
    const tickets = ["invoice wrong", "site down for everyone", "password reset never arrives", "parcel missing", "nice product"];
    fs.writeFileSync(data, tickets.map((text) => JSON.stringify({ ticket_text: text })).join("\n"));
    const out = path.join(tmp, "out");
    const args = ["run", "--flow", path.join(flowsDir, "support_ticket_classifier"), "--data", data, "--connections", path.join(flowsDir, "experiment.yaml"), "--out", out];
    assert.equal((await runCli(args, env)).code, 0);
    const records = path.join(out, "tickets__classify.zero_shot", "records.jsonl");
    // Keep two records and tear the third, as a kill mid-write would.
    const kept = fs.readFileSync(records, "utf8").split("\n").slice(0, 2).join("\n");
    fs.writeFileSync(records, `${kept}\n{"line_number": 4, "sta`);
    server.requests.length = 0;

    const resumed = await runCli([...args, "--resume"], env);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(server.requests.length, 3);
    const outputs = jsonLines(path.join(out, "tickets__classify.zero_shot", "outputs.jsonl"));
    assert.deepEqual(outputs.map((record) => [record.line_number, record.status]), [0, 1, 2, 3, 4].map((n) => [n, "Completed"]));
  });

  it("Ctrl-C stops cleanly: finished lines kept, exit 130, --resume completes the run", async () => {
    const slow = await startFakeOpenAiServer({ apiKey, answer: classify, latencyMs: 150 });
    try {
      const out = path.join(tmp, "out");
      const data = path.join(flowsDir, "data/bulk.jsonl");
      const args = ["run", "--flow", path.join(flowsDir, "support_ticket_classifier"), "--data", data, "--connections", path.join(flowsDir, "experiment.yaml"), "--concurrency", "2", "--out", out];
      const records = path.join(out, "bulk__classify.zero_shot", "records.jsonl");
      const { child, done } = startCli(args, { AOAI_API_BASE: slow.url, AOAI_API_KEY: apiKey });
      await waitFor(() => fs.existsSync(records) && jsonLines(records).length >= 2, "the first records");
      child.kill("SIGINT");
      const stopped = await done;
      assert.equal(stopped.code, 130, stopped.stderr);
      const summary = readJson(path.join(out, "bulk__classify.zero_shot", "summary.json"));
      assert.equal(summary.status, "Aborted");
      const kept = jsonLines(records).length;
      assert.ok(kept >= 2 && kept < lineCount(data), `${kept} records kept`);

      server.requests.length = 0;
      const resumed = await runCli([...args, "--resume"], env);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal(server.requests.length, lineCount(data) - kept, "only the missing lines ran");
      const outputs = jsonLines(path.join(out, "bulk__classify.zero_shot", "outputs.jsonl"));
      assert.equal(outputs.length, lineCount(data));
      assert.ok(outputs.every((record) => record.status === "Completed"));
    } finally {
      await slow.close();
    }
  });

  it("exits 2 naming the missing variable, before running anything", async () => {
    const out = path.join(tmp, "runs");
    const result = await runCli(["run", "--experiment", path.join(flowsDir, "experiment.yaml"), "--out", out], { AOAI_API_BASE: server.url });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /AOAI_API_KEY/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
    assert.equal(fs.existsSync(out), false);
    assert.equal(server.requests.length, 0);
  });

  it("exits 2 when a flow needs a connection nobody defined", async () => {
    const result = await runCli(["run", "--flow", path.join(flowsDir, "support_ticket_classifier"), "--data", path.join(flowsDir, "data/bulk.jsonl"), "--out", path.join(tmp, "o")], env);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /connection 'aoai' \(node classify\.zero_shot\).*--connections/);
  });

  it("exits 2 before any model call when a template does not parse or a dataset line is not JSON, naming file, line and column", async () => {
    const flow = path.join(tmp, "flow");
    fs.cpSync(path.join(flowsDir, "support_ticket_classifier"), flow, { recursive: true });
    const template = path.join(flow, "classify_zero_shot.jinja2");
    fs.writeFileSync(template, `${fs.readFileSync(template, "utf8")}\n{% if ticket_text %}unclosed\n`);
    const data = path.join(flowsDir, "data/bulk.jsonl");
    const args = ["run", "--flow", flow, "--data", data, "--connections", path.join(flowsDir, "experiment.yaml"), "--out", path.join(tmp, "o")];
    const broken = await runCli(args, env);
    assert.equal(broken.code, 2, broken.stderr);
    assert.match(broken.stderr, /classify_zero_shot\.jinja2:\d+:\d+: template syntax error/);
    assert.doesNotMatch(broken.stderr, /\n\s+at /, "no stack trace");
    assert.equal(server.requests.length, 0, "no model call");

    fs.copyFileSync(path.join(flowsDir, "support_ticket_classifier/classify_zero_shot.jinja2"), template);
    const badData = path.join(tmp, "bad.jsonl");
    fs.writeFileSync(badData, `${JSON.stringify({ ticket_text: "refund" })}\n{"ticket_text": "x"\n`);
    const malformed = await runCli(["run", "--flow", flow, "--data", badData, "--connections", path.join(flowsDir, "experiment.yaml"), "--out", path.join(tmp, "o2")], env);
    assert.equal(malformed.code, 2, malformed.stderr);
    assert.match(malformed.stderr, /bad\.jsonl:2:20: not valid JSON: the line ends/);
    assert.equal(server.requests.length, 0, "no model call");
  });
});

describe("llmops run arguments", () => {
  it("reads flow mode and experiment mode", () => {
    assert.deepEqual(parseRunArguments(["--flow", "f", "--data", "d.jsonl", "--out", "o", "--mapping", "a=${data.b}", "--concurrency", "4", "--resume"]), {
      out: "o",
      flow: "f",
      data: "d.jsonl",
      mappings: { a: "${data.b}" },
      datasets: [],
      concurrency: 4,
      resume: true,
    });
    const experiment = parseRunArguments(["--experiment", "e.yaml", "--env", "dev", "--dataset", "x", "--dataset", "y", "--variants", "product", "--out", "o"]);
    assert.deepEqual([experiment.experiment, experiment.env, experiment.datasets, experiment.variants], ["e.yaml", "dev", ["x", "y"], "product"]);
  });

  const invalid: [string, string[], RegExp][] = [
    ["no --out", ["--flow", "f", "--data", "d"], /--out is required/],
    ["no data", ["--flow", "f", "--out", "o"], /--flow and --data/],
    ["mixed modes", ["--experiment", "e.yaml", "--flow", "f", "--out", "o"], /drop --flow/],
    ["mapping with experiment", ["--experiment", "e.yaml", "--mapping", "a=b", "--out", "o"], /drop --mapping/],
    ["--env without experiment", ["--flow", "f", "--data", "d", "--env", "dev", "--out", "o"], /--env/],
    ["bad concurrency", ["--flow", "f", "--data", "d", "--concurrency", "0", "--out", "o"], /whole number/],
    ["unknown option", ["--flow", "f", "--data", "d", "--parallel", "--out", "o"], /parallel/],
  ];
  for (const [name, args, message] of invalid) {
    it(`refuses ${name}`, () => {
      assert.throws(() => parseRunArguments(args), (err: unknown) => err instanceof UserError && message.test(err.message));
    });
  }

  it("splits a mapping at the first '=' and refuses duplicates", () => {
    assert.deepEqual(parseMappingArguments(["q=${data.a=b}"]), { q: "${data.a=b}" });
    assert.throws(() => parseMappingArguments(["=x"]), UserError);
    assert.throws(() => parseMappingArguments(["x"]), UserError);
    assert.throws(() => parseMappingArguments(["a=1", "a=2"]), /mapped twice/);
  });
});
