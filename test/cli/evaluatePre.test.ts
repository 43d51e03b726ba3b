/**
 * `llmops evaluate --phase pre` end to end through the CLI: the sample flow's two variants run against the fake
 * OpenAI server (few-shot classifies by keyword, zero-shot, the default, files account tickets under billing),
 * every evaluator scores them, gates decide on the default variant, and a previous run is the regression baseline.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "yaml";
import type { MetricsEntry } from "../../src/evaluation";
import { formatNumber } from "../../src/evaluation/formatNumber";
import { startFakeOpenAiServer, type FakeOpenAiServer, type FakeRequest } from "../support/fakeOpenAiServer";
import { classifyText, latestRun, runCli, variantClassifier, writeExperiment } from "../evaluation/phases/cliSupport";

const apiKey = "aoai-key-pre-7f3a9c";
const injection = `<img src=x onerror=alert(1)> my invoice is wrong </script><script>alert(2)</script>`;

function entry(entries: MetricsEntry[], id: string): MetricsEntry {
  const found = entries.find((candidate) => candidate.id === id);
  assert.ok(found, `no metrics entry ${id} (have ${entries.map((e) => e.id).join(", ")})`);
  return found;
}

describe("llmops evaluate --phase pre (end to end through the CLI)", function () {
  this.timeout(240_000);
  let server: FakeOpenAiServer;
  let tmp: string;
  let env: Record<string, string>;
  /** When true the zero-shot variant answers as well as the few-shot one (the "previous build" of a baseline). */
  let zeroShotAccurate = false;

  before(async () => {
    server = await startFakeOpenAiServer({
      apiKey,
      answer: (request: FakeRequest) => {
        if (!zeroShotAccurate) return variantClassifier(request);
        const messages = (request.body.messages ?? []) as { role: string; content: string }[];
        const lastUser = [...messages].reverse().find((message) => message.role === "user")?.content ?? "";
        return JSON.stringify({ category: classifyText(lastUser.replace(/^[\s\S]*?Ticket:\s*/, "")), confidence: 0.8 });
      },
    });
    env = { AOAI_API_BASE: server.url, AOAI_API_KEY: apiKey };
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-evaluate-pre-"));
  });
  after(async () => {
    await server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("evaluates every variant with every evaluator, gates on the default variant, and writes all reports (exit 0)", async () => {
    const dir = fs.mkdtempSync(path.join(tmp, "pass-"));
    const experiment = writeExperiment(dir, {
      gates: ["ticket_classification_eval.accuracy >= 0.75", "category_match.exact_match >= 0.75", "error_rate <= 0.02"],
      extraEvalRows: [{ id: "eval-inject", ticket_text: injection, customer_tier: "standard", category: "billing" }],
    });
    const out = path.join(dir, "reports");
    const result = await runCli(["--phase", "pre", "--experiment", experiment, "--out", out], env);
    assert.equal(result.code, 0, result.stderr);

    const run = latestRun(out);
    const targets = run.metrics.targets;
    // Every (dataset, evaluator, variant) has its own entry: evaluators and datasets never share results.
    for (const variant of ["classify.zero_shot", "classify.few_shot"]) {
      for (const id of ["ticket_eval/run", "ticket_eval/ticket_classification_eval", "ticket_eval/category_match", "ticket_bulk/run", "ticket_bulk/reply_cites_reference"]) {
        entry(targets, `${id}@${variant}`);
      }
    }
    const zeroShot = entry(targets, "ticket_eval/ticket_classification_eval@classify.zero_shot").metrics.accuracy;
    const fewShot = entry(targets, "ticket_eval/ticket_classification_eval@classify.few_shot").metrics.accuracy;
    assert.ok(fewShot > 0.95, `few-shot accuracy ${fewShot}`);
    assert.ok(zeroShot < 0.85 && zeroShot > 0.75, `zero-shot accuracy ${zeroShot}`);
    assert.equal(entry(targets, "ticket_eval/run@classify.zero_shot").lines, 49);
    assert.ok(entry(targets, "ticket_eval/run@classify.zero_shot").metrics.total_tokens > 0);

    // Gates decide on the default variant; the other variant's results are shown as not gating.
    const accuracyGates = run.metrics.gates.filter((gate) => gate.gate === "ticket_classification_eval.accuracy >= 0.75");
    assert.deepEqual(
      accuracyGates.map((gate) => [gate.target_label, gate.passed, gate.skipped === true]),
      [
        ["classify.zero_shot", true, false],
        ["classify.few_shot", true, true],
      ],
    );
    assert.match(run.file("report.md"), /gates on variant classify\.zero\\?_shot/);

    // The reports carry the numbers of metrics.json.
    for (const name of ["report.md", "report.html"]) assert.ok(run.file(name).includes(formatNumber(zeroShot)), `${name} lacks ${formatNumber(zeroShot)}`);
    assert.ok(run.file("junit.xml").includes("ticket_classification_eval.accuracy &gt;= 0.75"));
    assert.equal(run.file("results.csv").split("\n").filter((line) => line.includes("classify.few_shot")).length, 49 + 44);
    assert.ok(result.stdout.includes("gates passed"));
    assert.ok(result.stdout.includes(path.relative(process.cwd(), run.dir)) || result.stdout.includes(run.dir));
    assert.equal(fs.readFileSync(path.join(out, "metrics.json"), "utf8"), run.file("metrics.json"));

    // Each evaluation flow run has its own directory, per dataset and variant.
    const runsDir = path.join(out, "runs", run.metrics.run_id);
    const evalRuns = ["classify.zero_shot", "classify.few_shot"].map((variant) =>
      fs.readFileSync(path.join(runsDir, `ticket_eval__${variant}`, "evaluators", "ticket_classification_eval", "outputs.jsonl"), "utf8"),
    );
    assert.notEqual(evalRuns[0], evalRuns[1]);

    // The injected row is data: escaped in the HTML page, never live markup.
    const html = run.file("report.html");
    assert.ok(!html.includes("<img src=x"), "raw <img> in report.html");
    assert.ok(!html.includes("</script><script>alert(2)"), "raw </script> in report.html");
    assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;") || html.includes("\\u003cimg src=x"), "injected text missing from report.html");
    // The model key never reaches output or reports.
    for (const text of [result.stdout, result.stderr, html, run.file("report.md"), run.file("metrics.json"), run.file("results.csv")]) {
      assert.ok(!text.includes(apiKey));
    }
  });

  it("refuses a malformed dataset line before any model call (exit 2, one line with file:line:column)", async () => {
    const dir = fs.mkdtempSync(path.join(tmp, "malformed-"));
    const experiment = writeExperiment(dir);
    const evalCopy = path.join(dir, "eval.jsonl");
    const rows = fs.readFileSync(evalCopy, "utf8").trimEnd().split("\n");
    fs.writeFileSync(evalCopy, `${[...rows.slice(0, 3), '{"ticket_text": "x", "category": billing}', ...rows.slice(3)].join("\n")}\n`);
    const requestsBefore = server.requests.length;
    const result = await runCli(["--phase", "pre", "--experiment", experiment, "--out", path.join(dir, "reports")], env);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /eval\.jsonl:4:34: not valid JSON/);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    assert.equal(server.requests.length, requestsBefore, "no model call");
  });

  it("refuses a malformed line in an evaluator's own dataset before any model call", async () => {
    const dir = fs.mkdtempSync(path.join(tmp, "evaluator-data-"));
    const experiment = writeExperiment(dir);
    const labels = path.join(dir, "labels.jsonl");
    fs.writeFileSync(labels, `${JSON.stringify({ category: "billing" })}\n{"category": }\n`);
    const document = yaml.parse(fs.readFileSync(experiment, "utf8")) as { evaluators: { name: string; datasets: Record<string, unknown>[] }[] };
    const categoryMatch = document.evaluators.find((evaluator) => evaluator.name === "category_match")!;
    categoryMatch.datasets.push({ name: "labels", source: labels, reference: "ticket_eval", mappings: { prediction: "${run.outputs.category}", reference: "${data.category}" } });
    fs.writeFileSync(experiment, yaml.stringify(document));
    const requestsBefore = server.requests.length;
    const result = await runCli(["--phase", "pre", "--experiment", experiment, "--out", path.join(dir, "reports")], env);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /labels\.jsonl:2:14: not valid JSON/);
    assert.equal(server.requests.length, requestsBefore, "no model call");
  });

  it("fails (exit 1) when the default variant misses a gate, and still writes the reports", async () => {
    const dir = fs.mkdtempSync(path.join(tmp, "fail-"));
    const experiment = writeExperiment(dir, { gates: ["ticket_classification_eval.accuracy >= 0.9", "error_rate <= 0.02"] });
    const out = path.join(dir, "reports");
    const result = await runCli(["--phase", "pre", "--experiment", experiment, "--out", out], env);
    assert.equal(result.code, 1, result.stderr);
    const run = latestRun(out);
    const failed = run.metrics.gates.filter((gate) => !gate.passed);
    assert.deepEqual(failed.map((gate) => [gate.gate, gate.target_label]), [["ticket_classification_eval.accuracy >= 0.9", "classify.zero_shot"]]);
    // few_shot meets the bar and is reported, but it is not what gets deployed.
    assert.ok(run.metrics.gates.some((gate) => gate.target_label === "classify.few_shot" && gate.passed && gate.skipped));
    assert.ok(result.stdout.includes("gates failed"));
    assert.match(run.file("junit.xml"), /<failure/);
    assert.ok(!result.stderr.includes("    at "), "no stack trace");
  });

  it("fails on a regression against --baseline (a previous pre-deployment run), within the same variant", async () => {
    const dir = fs.mkdtempSync(path.join(tmp, "regression-"));
    const experiment = writeExperiment(dir, { gates: ["error_rate <= 0.02"] });
    zeroShotAccurate = true;
    const baselineOut = path.join(dir, "baseline");
    try {
      const first = await runCli(["--phase", "pre", "--experiment", experiment, "--variants", "default", "--out", baselineOut], env);
      assert.equal(first.code, 0, first.stderr);
    } finally {
      zeroShotAccurate = false;
    }
    const out = path.join(dir, "reports");
    const result = await runCli(["--phase", "pre", "--experiment", experiment, "--variants", "default", "--baseline", baselineOut, "--out", out], env);
    assert.equal(result.code, 1, result.stderr);
    const run = latestRun(out);
    const regressions = run.metrics.gates.filter((gate) => gate.kind === "regression");
    const accuracy = regressions.find((gate) => gate.metric === "ticket_eval/ticket_classification_eval.accuracy");
    assert.ok(accuracy, JSON.stringify(regressions));
    assert.equal(accuracy.passed, false);
    assert.ok(accuracy.baseline! > accuracy.actual! + 0.05);
    assert.match(run.file("report.md"), /Against baseline pre-/);
    // Only the default variant ran: no few_shot entries, so nothing else could have failed.
    assert.ok(run.metrics.targets.every((target) => target.variant === "classify.zero_shot"));
  });
});
