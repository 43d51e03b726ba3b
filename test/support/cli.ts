/** The real `llmops` CLI in a child process, for end-to-end tests (async, so fake servers in the test keep answering). */
import { spawn } from "node:child_process";
import * as path from "node:path";

const cli = path.resolve(__dirname, "..", "..", "src", "cli", "llmops.cjs");

export interface CliOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `llmops <args>` in `cwd`. With `env`, the child sees only PATH, HOME, CI=1 and those variables (no developer
 * credentials leak in); without, it inherits this process's environment. Killed after `timeoutMs`.
 */
export function runLlmops(args: string[], cwd: string, env?: Record<string, string>, timeoutMs = 180_000): Promise<CliOutcome> {
  return new Promise((resolve, reject) => {
    const childEnv = env === undefined ? process.env : { PATH: process.env.PATH, HOME: process.env.HOME, CI: "1", ...env };
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
