/**
 * A real `llmops serve` process for tests and benchmarks: spawned through the CLI (or any command line that ends
 * in it, such as the image's start script), on an ephemeral loopback port read from its "listening" log line.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as path from "node:path";

export const repositoryRoot = path.resolve(__dirname, "../..");
export const llmopsCli = path.join(repositoryRoot, "src/cli/llmops.cjs");

export interface ServeProcess {
  url: string;
  child: ChildProcessWithoutNullStreams;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Sends the signal (default SIGTERM) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export interface StartServeOptions {
  /** Arguments after `llmops serve`; `--host 127.0.0.1 --port 0` are added unless `command` is given. */
  args?: string[];
  /** Run this instead of `node llmops.cjs serve ...` (e.g. the image's start script through /bin/sh). */
  command?: { file: string; args: string[] };
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
}

export function startServe(options: StartServeOptions): Promise<ServeProcess> {
  const command = options.command ?? { file: process.execPath, args: [llmopsCli, "serve", "--host", "127.0.0.1", "--port", "0", ...(options.args ?? [])] };
  const child = spawn(command.file, command.args, {
    cwd: options.cwd ?? repositoryRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, IDENTITY_HEADER: process.env.IDENTITY_HEADER, ...options.env },
  });
  let stdout = "";
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`llmops serve did not start in ${options.timeoutMs ?? 30_000} ms\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    let started = false;
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (started) return;
      const listening = stdout
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as { msg?: string; host?: string; port?: number })
        .find((entry) => entry.msg === "listening");
      if (listening?.port !== undefined) {
        started = true;
        clearTimeout(timer);
        resolve({
          url: `http://127.0.0.1:${listening.port}`,
          child,
          stdout: () => stdout,
          stderr: () => stderr,
          exited,
          stop: (signal = "SIGTERM") => {
            if (child.exitCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`llmops serve exited (${code}) before listening\n${stdout}\n${stderr}`));
    });
  });
}
