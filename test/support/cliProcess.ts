/**
 * The `llmops` CLI as a child process for end-to-end tests, started asynchronously: the fake servers live in the
 * test's process and must keep answering while the CLI runs. The handle lets a test interrupt it (SIGINT).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const repoRoot = path.resolve(__dirname, "../..");
const cli = path.join(repoRoot, "src/cli/llmops.cjs");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startCli(args: string[], env: Record<string, string | undefined>, timeoutMs = 180_000): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [cli, ...args], { cwd: repoRoot, env: { PATH: process.env.PATH, HOME: process.env.HOME, CI: "1", ...env } });
  const done = new Promise<CliResult>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`llmops ${args.join(" ")} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

/** The JSON objects of a JSONL file (blank lines skipped). */
export function jsonLines(file: string): Record<string, unknown>[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
