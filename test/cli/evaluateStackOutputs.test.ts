/**
 * Without --stack-outputs, `llmops evaluate --phase post` asks the Pulumi CLI: a stand-in `pulumi` executable on
 * PATH records its arguments and working directory and prints outputs, as `pulumi stack output --json` does.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startFakeScoringServer, type FakeScoringServer } from "../support/fakeScoringServer";
import { accurateFlow, latestRun, root, runCli, writeExperiment } from "../evaluation/phases/cliSupport";

function writePulumi(dir: string, script: string): void {
  const file = path.join(dir, "pulumi");
  fs.writeFileSync(file, `#!${process.execPath}\n${script}\n`);
  fs.chmodSync(file, 0o755);
}

describe("llmops evaluate --phase post reads the stack's outputs from the Pulumi CLI", function () {
  this.timeout(120_000);
  let tmp: string;
  let app: FakeScoringServer;
  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-evaluate-pulumi-"));
    app = await startFakeScoringServer({ kind: "webapp", deployments: { app: accurateFlow } });
  });
  after(async () => {
    await app.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("runs `pulumi stack output --json --show-secrets --stack <name>` in the project folder", async () => {
    const bin = fs.mkdtempSync(path.join(tmp, "bin-"));
    const record = path.join(tmp, "pulumi-call.json");
    writePulumi(
      bin,
      `require("fs").writeFileSync(${JSON.stringify(record)}, JSON.stringify({ args: process.argv.slice(2), cwd: process.cwd() }));
       process.stdout.write(JSON.stringify({ stack: "dev", environment: "dev", webAppName: "app-ticket-classifier-dev", webAppUrl: ${JSON.stringify(app.url)} }));`,
    );
    const experiment = writeExperiment(fs.mkdtempSync(path.join(tmp, "exp-")), { gates: ["ticket_classification_eval.accuracy >= 0.9"] });
    const out = path.join(tmp, "reports");
    const result = await runCli(["--phase", "post", "--stack", "dev", "--experiment", experiment, "--out", out], { PATH: `${bin}${path.delimiter}${process.env.PATH}` });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const call = JSON.parse(fs.readFileSync(record, "utf8")) as { args: string[]; cwd: string };
    assert.deepEqual(call.args, ["stack", "output", "--json", "--show-secrets", "--stack", "dev"]);
    assert.equal(fs.realpathSync(call.cwd), fs.realpathSync(root));
    const run = latestRun(out);
    assert.ok(run.metrics.targets.some((entry) => entry.id === "ticket_eval/ticket_classification_eval@webapp:app-ticket-classifier-dev"));
  });

  it("exits 2 with Pulumi's own message when the stack does not exist", async () => {
    const bin = fs.mkdtempSync(path.join(tmp, "bin-"));
    writePulumi(bin, `process.stderr.write("error: no stack named 'dev' found\\n"); process.exit(255);`);
    const result = await runCli(["--phase", "post", "--stack", "dev", "--out", path.join(tmp, "none")], { PATH: `${bin}${path.delimiter}${process.env.PATH}` });
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stderr, /^llmops evaluate: pulumi stack output --stack dev failed: error: no stack named 'dev' found/);
  });
});
