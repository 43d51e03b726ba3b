import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError, UserError } from "../../core/userError";
import type { WorkerOutcome, WorkerRequest } from "./planInProcess";
import type { OfflinePlanReport } from "./types";

export interface OfflinePlanOptions {
  stack: string;
  projectRoot: string;
  deploymentConfigPath?: string;
  /**
   * The plan's environment (the command line passes its own): the plan process runs in it, so the stack's
   * `${VAR}` overrides, env.yaml's variables and the child's PATH come from here.
   */
  environment: NodeJS.ProcessEnv;
  /** Upper bound for one stack's plan; the child is killed after it. */
  timeoutMs?: number;
}

/**
 * Plans one stack offline: runs the Pulumi program under mocks and returns every declared resource and the
 * stack outputs, secrets masked.
 *
 * Each call runs in its own Node process. Pulumi's runtime state (mock monitor, config, pending registrations,
 * the stack's resources) is module-global with no public reset, so a second plan in the same process would
 * share it with the first (and with any other mocks the caller set up); a child process gives every stack a
 * clean runtime at the cost of about a second of start-up, and lets `llmops promote` plan two stacks safely.
 */
export async function runOfflinePlan(options: OfflinePlanOptions): Promise<OfflinePlanReport> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-plan-"));
  const request: WorkerRequest = {
    stack: options.stack,
    projectRoot: path.resolve(options.projectRoot),
    ...(options.deploymentConfigPath !== undefined ? { deploymentConfigPath: path.resolve(options.deploymentConfigPath) } : {}),
    resultFile: path.join(scratch, "outcome.json"),
  };
  try {
    const { code, stderr } = await runWorker(request, options.environment, options.timeoutMs ?? 120_000);
    if (!fs.existsSync(request.resultFile)) {
      throw new Error(`offline plan of stack '${options.stack}' ended without a result (exit ${code}):\n${stderr}`);
    }
    const outcome = JSON.parse(fs.readFileSync(request.resultFile, "utf8")) as WorkerOutcome;
    if (outcome.ok) return outcome.report;
    const error = outcome.error;
    switch (error.kind) {
      case "ConfigError":
        throw new ConfigError(error.file, error.jsonPath, error.expected, error.found);
      case "UserError":
        throw new UserError(error.message);
      default: {
        const failure = new Error(`offline plan of stack '${options.stack}' failed: ${error.message}`);
        if (error.stack !== undefined) failure.stack = `${failure.message}\n--- in the plan process ---\n${error.stack}`;
        throw failure;
      }
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function runWorker(request: WorkerRequest, environment: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; stderr: string }> {
  // The child runs what this process runs: compiled JavaScript from dist/ (no transpiling at start-up), or the
  // TypeScript sources through tsx when this process was loaded from them. Its entry is a process's, so it lives
  // with the command line's (src/cli/planWorker.ts) and plans through planInProcess.ts.
  const compiled = path.extname(__filename) === ".js";
  const worker = path.join(__dirname, "..", "..", "cli", compiled ? "planWorker.js" : "planWorker.ts");
  const loader = compiled ? [] : ["--require", require.resolve("tsx/cjs")];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...loader, worker, JSON.stringify(request)], {
      cwd: request.projectRoot,
      stdio: ["ignore", "ignore", "pipe"],
      env: environment,
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      if (stderr.length < 64_000) stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`offline plan of stack '${request.stack}' took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`));
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}
