import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { evaluationOptions, parseEvaluateArguments } from "../../../src/cli/commands/evaluate";
import { serializeMetricsFile } from "../../../src/evaluation";
import { readBaseline } from "../../../src/evaluation/phases/baseline";
import { reportLocations } from "../../../src/evaluation/phases/reports";
import { UserError } from "../../../src/core/userError";

describe("llmops evaluate arguments", () => {
  it("reads each phase; --phase post with --production-log is the production phase", () => {
    assert.deepEqual(parseEvaluateArguments(["--phase", "pre", "--env", "dev", "--variants", "default", "--concurrency", "4", "--out", "r"]), {
      phase: "pre", out: "r", targets: [], env: "dev", variants: "default", concurrency: 4,
    });
    const post = parseEvaluateArguments(["--phase", "post", "--stack", "prod", "--target", "https://a", "--target", "https://b", "--timeout", "2.5", "--out", "r"]);
    assert.deepEqual([post.phase, post.targets, post.timeoutMs], ["post", ["https://a", "https://b"], 2500]);
    assert.equal(parseEvaluateArguments(["--phase", "post", "--stack", "dev", "--production-log", "log.jsonl", "--out", "r"]).phase, "production");
  });

  it("refuses options that do not apply to the phase, and bad numbers", () => {
    const refused = [
      ["--phase", "pre", "--experiment", "e.yaml", "--use-case", "reviews", "--out", "r"],
      ["--phase", "pre", "--target", "https://a", "--out", "r"],
      ["--phase", "post", "--stack", "dev", "--target", "https://a", "--stack-outputs", "o.json", "--out", "r"],
      ["--phase", "production", "--target", "https://a", "--out", "r"],
      ["--phase", "pre", "--concurrency", "0", "--out", "r"],
      ["--phase", "post", "--stack", "dev", "--timeout", "-1", "--out", "r"],
      ["--phase", "pre", "--out", "r", "extra"],
      ["--phase", "pre", "--bogus", "--out", "r"],
    ];
    for (const args of refused) assert.throws(() => parseEvaluateArguments(args), UserError, args.join(" "));
  });

  it("resolves paths against the working directory and defaults the experiment to the project's flows/experiment.yaml", () => {
    const root = path.resolve(__dirname, "../../..");
    const options = evaluationOptions(parseEvaluateArguments(["--phase", "pre", "--out", "reports/pre"]), path.join(root, "flows"), {});
    assert.equal(options.experiment, path.join(root, "flows", "experiment.yaml"));
    assert.equal(options.out, path.join(root, "flows", "reports", "pre"));
    assert.equal(options.projectRoot, root);
    assert.equal(options.workingDirectory, path.join(root, "flows"));
  });

  it("shows report paths relative to the working directory it is given, absolute outside it", () => {
    const work = path.join(os.tmpdir(), "llmops-work");
    const runDir = path.join(work, "reports", "pre-1");
    const files = Object.fromEntries(["report.html", "report.md", "metrics.json", "results.csv", "junit.xml"].map((name) => [name, path.join(runDir, name)]));
    const reports = {
      written: { dir: runDir, files: files as Parameters<typeof reportLocations>[0]["written"]["files"], latest: { reportMd: "", pointer: "" } },
      latestMetrics: path.join(work, "reports", "metrics.json"),
      passed: false,
    };
    const lines = reportLocations(reports, work).split("\n");
    assert.equal(lines[0], `reports (gates failed): ${path.join("reports", "pre-1")}/`);
    assert.equal(lines[3], `  metrics.json  ${path.join("reports", "pre-1", "metrics.json")} (also ${path.join("reports", "metrics.json")}, the next --baseline)`);
    assert.ok(reportLocations(reports, path.join(os.tmpdir(), "elsewhere")).includes(`  report.md     ${files["report.md"]}`), "outside it: absolute");
  });
});

describe("llmops evaluate --baseline", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-baseline-"));
    fs.mkdirSync(path.join(dir, "pre-2"));
    const metrics = { version: 1 as const, phase: "pre" as const, run_id: "pre-2", created_at: "2026-11-24T10:00:00.000Z", targets: [], gates: [] };
    fs.writeFileSync(path.join(dir, "pre-2", "metrics.json"), serializeMetricsFile(metrics));
    fs.writeFileSync(path.join(dir, "latest.json"), JSON.stringify({ run_id: "pre-2", dir: "pre-2" }));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("takes a metrics.json or a previous --out folder (its newest run)", () => {
    assert.equal(readBaseline(path.join(dir, "pre-2", "metrics.json"), process.cwd()).run_id, "pre-2");
    assert.equal(readBaseline(dir, process.cwd()).run_id, "pre-2");
  });

  it("reads a relative --baseline from the working directory it is given, not this process's", () => {
    assert.notEqual(process.cwd(), dir);
    assert.equal(readBaseline(path.join("pre-2", "metrics.json"), dir).run_id, "pre-2");
    assert.equal(readBaseline(".", dir).run_id, "pre-2");
  });

  it("refuses a missing baseline and a latest.json pointing outside its folder", () => {
    assert.throws(() => readBaseline(path.join(dir, "nope.json"), process.cwd()), /not found/);
    const escape = fs.mkdtempSync(path.join(dir, "escape-"));
    fs.writeFileSync(path.join(escape, "latest.json"), JSON.stringify({ dir: "../pre-2" }));
    assert.throws(() => readBaseline(escape, process.cwd()), UserError);
  });
});
