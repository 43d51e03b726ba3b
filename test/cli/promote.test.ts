import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runPromotion } from "../../src/stacks/promotion";
import type { PromotionDependencies, StackPlanSnapshot } from "../../src/stacks/promotion";
import { ConfigError, UserError } from "../../src/core/userError";

const repoRoot = path.resolve(__dirname, "../..");
const cli = path.join(repoRoot, "src/cli/llmops.cjs");

function stackYaml(environment: string, extra = ""): string {
  return `config:\n  llmops:environment: ${environment}\n  llmops:resourceGroupName: rg-${environment}\n${extra}`;
}

const deploymentConfig = {
  azure_managed_endpoint: [
    { ENV_NAME: "dev", ENDPOINT_NAME: "tickets-dev", CURRENT_DEPLOYMENT_NAME: "blue", CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: "100" },
    { ENV_NAME: "prod", ENDPOINT_NAME: "tickets-prod", CURRENT_DEPLOYMENT_NAME: "green", CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: 100 },
  ],
};

function plan(stack: string, deployment: string): StackPlanSnapshot {
  return {
    stack,
    resources: [
      { type: "azure-native:machinelearningservices:OnlineDeployment", name: deployment, inputs: { properties: { model: `m:${deployment}` } } },
      { type: "pulumi-nodejs:dynamic:Resource", name: "traffic", inputs: { endpointName: `tickets-${stack}`, traffic: { [deployment]: 100 } } },
    ],
    outputs: {},
  };
}

describe("runPromotion (injected planner and pulumi)", () => {
  let project: string;
  let calls: string[];

  function dependencies(exitCode = 0): PromotionDependencies & { printed: string[] } {
    const printed: string[] = [];
    return {
      printed,
      checkPulumi: () => {
        calls.push("check");
      },
      planStack: async (stack) => {
        calls.push(`plan ${stack}`);
        return plan(stack, stack === "dev" ? "blue" : "green");
      },
      runPulumi: async (args) => {
        calls.push(`pulumi ${args.join(" ")}`);
        return exitCode;
      },
      print: (text) => {
        printed.push(text);
      },
    };
  }

  beforeEach(() => {
    calls = [];
    project = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-promote-"));
    fs.writeFileSync(path.join(project, "Pulumi.dev.yaml"), stackYaml("dev"));
    fs.writeFileSync(path.join(project, "Pulumi.prod.yaml"), stackYaml("prod", "  other:token:\n    secure: v1:CIPHERTEXT\n"));
    fs.mkdirSync(path.join(project, "config"));
    fs.writeFileSync(path.join(project, "config/deployment_config.json"), JSON.stringify(deploymentConfig));
  });

  afterEach(() => {
    fs.rmSync(project, { recursive: true, force: true });
  });

  it("checks pulumi, plans both stacks, prints and records the diff, then runs pulumi up on the target", async () => {
    const deps = dependencies();
    const jsonFile = path.join(project, "out/promotion.json");
    const summaryFile = path.join(project, "summary.md");
    fs.writeFileSync(summaryFile, "earlier content\n");
    const result = await runPromotion({ from: "dev", to: "prod", yes: true, dryRun: false, projectRoot: project, jsonFile, summaryFile }, deps);

    assert.deepEqual(calls, ["check", "plan dev", "plan prod", "pulumi up --stack prod --yes"]);
    assert.equal(result.exitCode, 0);
    assert.deepEqual(result.diff.traffic.map((row) => [row.deployment, row.fromTraffic, row.toTraffic]), [["blue", 100, undefined], ["green", undefined, 100]]);
    assert.deepEqual(result.diff.stackConfig, [
      { path: "llmops:environment", from: "dev", to: "prod" },
      { path: "llmops:resourceGroupName", from: "rg-dev", to: "rg-prod" },
      { path: "other:token", to: "[secret]" },
    ]);

    const written = JSON.parse(fs.readFileSync(jsonFile, "utf8")) as { pulumi: { args: string[] }; from: string; to: string };
    assert.deepEqual(written.pulumi.args, ["up", "--stack", "prod", "--yes"]);
    assert.equal(written.from, "dev");
    const summary = fs.readFileSync(summaryFile, "utf8");
    assert.ok(summary.startsWith("earlier content\n## Promotion `dev` → `prod`"), "appends to the summary file");

    const everything = [deps.printed.join("\n"), fs.readFileSync(jsonFile, "utf8"), summary].join("\n");
    assert.ok(!everything.includes("CIPHERTEXT"), "a secure value never appears");
    assert.match(deps.printed.join("\n"), /Running: pulumi up --stack prod --yes/);
  });

  it("returns pulumi's exit code and runs preview for a dry run", async () => {
    const result = await runPromotion({ from: "dev", to: "prod", yes: false, dryRun: true, projectRoot: project }, dependencies(7));
    assert.equal(result.exitCode, 7);
    assert.equal(calls.at(-1), "pulumi preview --stack prod");
  });

  it("rejects the same stack twice, bad stack names, a missing stack file or ENV_NAME before planning anything", async () => {
    await assert.rejects(runPromotion({ from: "dev", to: "dev", yes: false, dryRun: false, projectRoot: project }, dependencies()), /same stack 'dev'/);
    await assert.rejects(runPromotion({ from: "dev", to: "../prod", yes: false, dryRun: false, projectRoot: project }, dependencies()), UserError);
    await assert.rejects(
      runPromotion({ from: "dev", to: "staging", yes: false, dryRun: false, projectRoot: project }, dependencies()),
      (error: unknown) => error instanceof UserError && /Pulumi\.staging\.yaml not found/.test(error.message),
    );
    fs.writeFileSync(path.join(project, "Pulumi.prod.yaml"), "config:\n  llmops:workspaceName: w\n");
    await assert.rejects(
      runPromotion({ from: "dev", to: "prod", yes: false, dryRun: false, projectRoot: project }, dependencies()),
      (error: unknown) => error instanceof ConfigError && error.file === "Pulumi.prod.yaml" && /llmops:environment/.test(error.jsonPath),
    );
    assert.ok(!calls.some((call) => call.startsWith("plan")), "nothing planned");
    assert.ok(!calls.some((call) => call.startsWith("pulumi")), "pulumi never ran");
  });
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 170_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("llmops promote (CLI, real offline plans, fake pulumi on PATH)", function () {
  this.timeout(180_000);
  let project: string;
  let fakeBin: string;
  let argvLog: string;

  /** PATH with the fake pulumi first; the environment stripped of anything that could redirect the stacks. */
  function env(extra: Record<string, string> = {}, withPulumi = true): NodeJS.ProcessEnv {
    const base: NodeJS.ProcessEnv = { PATH: withPulumi ? `${fakeBin}${path.delimiter}${process.env.PATH ?? ""}` : path.dirname(process.execPath), HOME: os.tmpdir() };
    return { ...base, FAKE_PULUMI_ARGV: argvLog, ...extra };
  }

  function recordedInvocations(): string[][] {
    if (!fs.existsSync(argvLog)) return [];
    return fs.readFileSync(argvLog, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as string[]);
  }

  before(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-promote-project-"));
    // A copy of the shipped project files, so the test never depends on (or touches) the working tree's state.
    for (const entry of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "config", "flows"]) {
      fs.cpSync(path.join(repoRoot, entry), path.join(project, entry), { recursive: true });
    }
    fs.appendFileSync(path.join(project, "Pulumi.prod.yaml"), "  other:token:\n    secure: v1:TOPSECRETCIPHERTEXT\n");
    fakeBin = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-fake-pulumi-"));
    argvLog = path.join(fakeBin, "argv.jsonl");
    // Records each invocation's argv as one JSON line, exits with FAKE_PULUMI_EXIT.
    const fake = [
      `#!${process.execPath}`,
      'require("node:fs").appendFileSync(process.env.FAKE_PULUMI_ARGV, JSON.stringify(process.argv.slice(2)) + "\\n");',
      'process.exitCode = Number(process.env.FAKE_PULUMI_EXIT ?? "0");',
      "",
    ].join("\n");
    fs.writeFileSync(path.join(fakeBin, "pulumi"), fake, { mode: 0o755 });
  });

  beforeEach(() => {
    fs.rmSync(argvLog, { force: true });
  });

  after(() => {
    fs.rmSync(project, { recursive: true, force: true });
    fs.rmSync(fakeBin, { recursive: true, force: true });
  });

  it("--dry-run: prints the dev → prod diff, writes --json, and runs `pulumi preview --stack prod`", async () => {
    const jsonFile = path.join(project, "reports/promotion.json");
    const run = await runCli(["promote", "--from", "dev", "--to", "prod", "--dry-run", "--json", jsonFile], { cwd: project, env: env() });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(recordedInvocations(), [["preview", "--stack", "prod"]]);
    assert.match(run.stdout, /^Promotion dev → prod/);
    assert.match(run.stdout, /== Traffic/);
    assert.match(run.stdout, /== Models and images/);
    assert.match(run.stdout, /llmops:environment\s+dev\s+prod/);
    const written = JSON.parse(fs.readFileSync(jsonFile, "utf8")) as { resources: { added: unknown[] }; traffic: unknown[]; pulumi: { args: string[] } };
    assert.deepEqual(written.pulumi.args, ["preview", "--stack", "prod"]);
    assert.ok(written.traffic.length > 0, "the shipped stacks have an endpoint with traffic");
    assert.ok(!`${run.stdout}${run.stderr}${fs.readFileSync(jsonFile, "utf8")}`.includes("TOPSECRETCIPHERTEXT"));
  });

  it("--yes: runs `pulumi up --stack prod --yes` and exits with pulumi's code", async () => {
    const run = await runCli(["promote", "--from", "dev", "--to", "prod", "--yes"], { cwd: project, env: env({ FAKE_PULUMI_EXIT: "3" }) });
    assert.deepEqual(recordedInvocations(), [["up", "--stack", "prod", "--yes"]]);
    assert.equal(run.code, 3);
    assert.match(run.stdout, /exited with code 3/);
  });

  it("without pulumi on PATH: a clear install hint, exit 2, no stack trace, nothing planned", async () => {
    const run = await runCli(["promote", "--from", "dev", "--to", "prod"], { cwd: project, env: env({}, false) });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /`pulumi` CLI was not found on PATH\. Install it/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
    assert.equal(run.stdout, "");
  });

  it("--dry-run without pulumi on PATH: still prints the offline diff, says the preview was skipped, exit 0", async () => {
    const run = await runCli(["promote", "--from", "dev", "--to", "prod", "--dry-run"], { cwd: project, env: env({}, false) });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Promotion dev → prod/);
    assert.match(run.stdout, /== Traffic/);
    assert.match(run.stdout, /Skipped `pulumi preview --stack prod`.*not found on PATH/);
    assert.deepEqual(recordedInvocations(), []);
  });

  it("fits the diff in 120 columns and diffs Web App settings by name", async () => {
    const run = await runCli(["promote", "--from", "dev", "--to", "prod", "--dry-run"], { cwd: project, env: env() });
    assert.equal(run.code, 0, run.stderr);
    const widest = Math.max(...run.stdout.split("\n").map((line) => line.length));
    assert.ok(widest <= 120, `a line of ${widest} columns`);
    assert.doesNotMatch(run.stdout, /appSettings\[\d+\]/, "settings are named, not numbered");
  });

  it("usage mistakes exit 2 with the usage text", async () => {
    const unknown = await runCli(["promote", "--from", "dev", "--to", "prod", "--force"], { cwd: project, env: env() });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /usage: llmops promote/);
    const missing = await runCli(["promote", "--to", "prod"], { cwd: project, env: env() });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--from and --to are required/);
    assert.deepEqual(recordedInvocations(), []);
  });
});
