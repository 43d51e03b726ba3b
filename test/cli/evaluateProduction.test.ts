/**
 * `llmops evaluate` post-production phase through the CLI: the sample production log scored by the experiment's
 * production flow (no endpoint, no model), production gates, and the exit codes CI relies on.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatNumber } from "../../src/evaluation/formatNumber";
import { latestRun, root, runCli, writeExperiment } from "../evaluation/phases/cliSupport";

describe("llmops evaluate, post-production phase (end to end through the CLI)", function () {
  this.timeout(120_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-evaluate-production-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("scores flows/data/production_log.jsonl with the production flow and passes the sample's production gates (exit 0)", async () => {
    const out = path.join(tmp, "prod");
    // As the post-production workflow calls it; no model key or endpoint is needed.
    const result = await runCli(["--phase", "post", "--stack", "dev", "--production-log", path.join(root, "flows/data/production_log.jsonl"), "--out", out], {});
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const run = latestRun(out);
    assert.equal(run.metrics.phase, "production");
    const entry = run.metrics.targets.find((target) => target.evaluator === "ticket_production_eval");
    assert.ok(entry);
    assert.equal(entry.lines, 44);
    assert.equal(entry.dataset, "production_log");
    // Labelled as what it is: a log from the dev stack, with no flow variant claimed.
    assert.deepEqual(entry.target, { kind: "production", name: "dev" });
    assert.equal(entry.label, "production log (dev)");
    assert.ok(run.file("report.md").includes("production log (dev)"));

    // The metrics are the ones the evaluation flow's aggregation logged.
    const summaryFile = path.join(out, "runs", run.metrics.run_id, "production_log", "evaluators", "ticket_production_eval", "summary.json");
    const summary = JSON.parse(fs.readFileSync(summaryFile, "utf8")) as { metrics: Record<string, number | string>; completed: number };
    assert.equal(summary.completed, 44);
    for (const metric of ["invalid_category_rate", "low_confidence_rate", "other_rate"]) {
      assert.equal(entry.metrics[metric], summary.metrics[metric]);
      assert.ok(run.file("report.md").includes(formatNumber(entry.metrics[metric])));
    }
    const gates = run.metrics.gates;
    assert.equal(gates.length, 3);
    assert.ok(gates.every((gate) => gate.passed && gate.gate.startsWith("ticket_production_eval.")));
    // CI (CI=1) gets plain progress lines on stderr, not a redrawn bar.
    assert.match(result.stderr, /^production_log ticket_production_eval: 44\/44 lines \(100%\)/m);
    assert.ok(!result.stderr.includes("\r"));
    // The logged rows appear in the line table with their inputs and outputs.
    assert.ok(run.file("results.csv").includes("I was billed twice for my October subscription"));
  });

  it("fails (exit 1) when a production gate is missed", async () => {
    const dir = fs.mkdtempSync(path.join(tmp, "strict-"));
    const experiment = writeExperiment(dir, { productionGates: ["ticket_production_eval.other_rate <= 0.01", "ticket_production_eval.invalid_category_rate <= 0.5"] });
    const out = path.join(dir, "reports");
    const result = await runCli(["--phase", "production", "--experiment", experiment, "--out", out], {});
    assert.equal(result.code, 1, result.stderr);
    const run = latestRun(out);
    assert.deepEqual(
      run.metrics.gates.map((gate) => [gate.gate, gate.passed]),
      [
        ["ticket_production_eval.other_rate <= 0.01", false],
        ["ticket_production_eval.invalid_category_rate <= 0.5", true],
      ],
    );
    assert.ok(result.stdout.includes("gates failed"));
  });
});

describe("llmops evaluate: usage and configuration errors exit 2 with one clear line", function () {
  this.timeout(120_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-evaluate-errors-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const cases: { name: string; args: (dir: string) => string[]; message: RegExp }[] = [
    { name: "an unknown phase", args: (dir) => ["--phase", "later", "--out", dir], message: /--phase later: expected pre, post or production/ },
    { name: "no --out", args: () => ["--phase", "pre"], message: /--out is required/ },
    { name: "post without --stack", args: (dir) => ["--phase", "post", "--out", dir], message: /--phase post needs --stack/ },
    { name: "--variants after deployment", args: (dir) => ["--phase", "post", "--stack", "dev", "--variants", "all", "--out", dir], message: /--variants does not apply/ },
    { name: "a missing experiment", args: (dir) => ["--phase", "production", "--experiment", path.join(dir, "nope.yaml"), "--out", dir], message: /experiment file not found/ },
    { name: "an unknown stack", args: (dir) => ["--phase", "post", "--stack", "qa", "--out", dir], message: /Pulumi\.qa\.yaml/ },
    {
      name: "stack outputs that are not JSON",
      args: (dir) => {
        fs.writeFileSync(path.join(dir, "outputs.json"), "{ not json");
        return ["--phase", "post", "--stack", "dev", "--stack-outputs", path.join(dir, "outputs.json"), "--out", dir];
      },
      message: /outputs\.json: \$: expected the JSON of `pulumi stack output --json`/,
    },
    {
      name: "a baseline that is not a metrics file",
      args: (dir) => {
        fs.writeFileSync(path.join(dir, "baseline.json"), JSON.stringify({ version: 7 }));
        return ["--phase", "production", "--baseline", path.join(dir, "baseline.json"), "--out", dir];
      },
      message: /baseline\.json: \$\.version: expected 1/,
    },
    {
      name: "a missing --production-log (production phase)",
      args: (dir) => ["--phase", "production", "--experiment", writeExperiment(dir), "--production-log", path.join(dir, "missing.jsonl"), "--out", dir],
      message: /--production-log .*missing\.jsonl: file not found$/m,
    },
    {
      name: "a missing --production-log (post phase)",
      args: (dir) => ["--phase", "post", "--stack", "dev", "--production-log", path.join(dir, "missing.jsonl"), "--out", dir],
      message: /--production-log .*missing\.jsonl: file not found$/m,
    },
    {
      name: "an environment with no overlay that nobody knows",
      args: (dir) => ["--phase", "pre", "--experiment", path.join(root, "flows", "experiment.yaml"), "--env", "staging", "--out", dir],
      message: /--env staging: .*known environments: dev, prod/,
    },
    {
      name: "a gate with a bad operator",
      args: (dir) => ["--phase", "production", "--experiment", writeExperiment(dir, { productionGates: ["other_rate => 0.2"] }), "--out", dir],
      message: /production\.gates\[0\]: expected a gate .*found "other_rate => 0\.2"/,
    },
  ];
  for (const { name, args, message } of cases) {
    it(name, async () => {
      const dir = fs.mkdtempSync(path.join(tmp, "case-"));
      const result = await runCli(args(dir), {});
      assert.equal(result.code, 2, result.stdout + result.stderr);
      assert.match(result.stderr, message);
      assert.ok(result.stderr.startsWith("llmops evaluate: "), result.stderr);
      // Argument mistakes append the usage; everything else is one line.
      if (!result.stderr.includes("usage:")) assert.equal(result.stderr.trim().split("\n").length, 1, `one line:\n${result.stderr}`);
      assert.ok(!/\n\s+at /.test(result.stderr), `stack trace printed:\n${result.stderr}`);
      assert.ok(!fs.existsSync(path.join(dir, "latest.json")), "no report for a run that could not start");
    });
  }
});
