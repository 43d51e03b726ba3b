/**
 * Runs a command as a child process and measures its wall time, peak resident set size and CPU time. Two methods:
 * - "time-v" (preferred): GNU `/usr/bin/time -v`. Its "Maximum resident set size" is the kernel's ru_maxrss of
 *   the waited-for child: the peak of the largest process in the tree (not a sum); its user + system times
 *   include the child's waited-for descendants. Works for any command.
 * - "preload" (when GNU time is absent): a Node `--require` preload (usagePreload.cjs, through NODE_OPTIONS) makes
 *   every Node process of the tree append its own `process.resourceUsage()` figures to a file on exit; peak RSS is
 *   the largest, CPU the sum. Same meaning, Node processes only.
 * CPU time barely moves with the machine's load, unlike wall time: the figure to trust on a busy machine.
 * A child still running after `timeoutMs` is killed with its whole process group.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

export type UsageMethod = "time-v" | "preload";

const gnuTime = "/usr/bin/time";
const preloadScript = join(__dirname, "usagePreload.cjs");
/** Output kept per stream: enough for the summary lines and errors a benchmark prints. */
const keptOutputChars = 256 * 1024;

export interface MeasureOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  method?: UsageMethod;
  timeoutMs?: number;
}

export interface ProcessUsage {
  peakRssKb: number;
  cpuSeconds: number;
}

export interface MeasuredRun {
  /** Exit code, or null when a signal ended it. */
  status: number | null;
  stdout: string;
  stderr: string;
  wallSeconds: number;
  /** undefined when the method produced no figures (e.g. the child was killed). */
  peakRssMb: number | undefined;
  cpuSeconds: number | undefined;
  method: UsageMethod;
  timedOut: boolean;
}

export function defaultUsageMethod(): UsageMethod {
  return existsSync(gnuTime) ? "time-v" : "preload";
}

function lastNumber(text: string, label: RegExp): number | undefined {
  const last = [...text.matchAll(label)].at(-1);
  return last === undefined ? undefined : Number(last[1]);
}

/** Figures from GNU time's verbose report, the last one in `stderr` (the child may print its own lines first). */
export function parseTimeVerbose(stderr: string): ProcessUsage | undefined {
  const peakRssKb = lastNumber(stderr, /Maximum resident set size \(kbytes\): (\d+)/g);
  const user = lastNumber(stderr, /User time \(seconds\): ([\d.]+)/g);
  const system = lastNumber(stderr, /System time \(seconds\): ([\d.]+)/g);
  if (peakRssKb === undefined || user === undefined || system === undefined) return undefined;
  return { peakRssKb, cpuSeconds: user + system };
}

/** usagePreload.cjs lines, one per Node process: the largest peak RSS and the summed CPU time. */
export function parsePreloadUsage(text: string): ProcessUsage | undefined {
  const lines = text
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((fields) => fields.length === 2 && fields.every((value) => Number.isFinite(value) && value >= 0));
  if (lines.length === 0) return undefined;
  return { peakRssKb: Math.max(...lines.map(([kb]) => kb)), cpuSeconds: lines.reduce((sum, [, micros]) => sum + micros, 0) / 1e6 };
}

function keepTail(text: string, chunk: Buffer): string {
  const joined = text + chunk.toString("utf8");
  return joined.length > keptOutputChars ? joined.slice(-keptOutputChars) : joined;
}

export async function runMeasured(command: string, args: readonly string[], options: MeasureOptions = {}): Promise<MeasuredRun> {
  const method = options.method ?? defaultUsageMethod();
  const scratch = await mkdtemp(join(tmpdir(), "bench-usage-"));
  const usageFile = join(scratch, "usage.txt");
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (method === "preload") {
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ""} --require ${JSON.stringify(preloadScript)}`.trim();
    env.LLMOPS_BENCH_USAGE_FILE = usageFile;
  }
  const [file, argv] = method === "time-v" ? [gnuTime, ["-v", command, ...args]] : [command, [...args]];
  try {
    const started = performance.now();
    // Its own process group, so a timeout kills the command and not only the `time` wrapper around it.
    const child = spawn(file, argv, { env, cwd: options.cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout = keepTail(stdout, chunk)));
    child.stderr.on("data", (chunk: Buffer) => (stderr = keepTail(stderr, chunk)));
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
          }, options.timeoutMs);
    const status = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (code) => resolve(code));
    }).finally(() => clearTimeout(timer));
    const wallSeconds = (performance.now() - started) / 1000;
    const usage = method === "time-v" ? parseTimeVerbose(stderr) : parsePreloadUsage(await readFile(usageFile, "utf8").catch(() => ""));
    return {
      status,
      stdout,
      stderr,
      wallSeconds,
      peakRssMb: usage === undefined ? undefined : Math.round(usage.peakRssKb / 1024),
      cpuSeconds: usage?.cpuSeconds,
      method,
      timedOut,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
