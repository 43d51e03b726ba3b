/**
 * Runs a command as a child process and measures its wall time and peak resident set size. Two methods:
 * - "time-v" (preferred): GNU `/usr/bin/time -v`, whose "Maximum resident set size" is the kernel's ru_maxrss of
 *   the waited-for child: the peak of the largest process in the tree (not a sum), for any command.
 * - "preload" (when GNU time is absent): Node's `--require` preload (rssPreload.cjs, through NODE_OPTIONS) makes
 *   every Node process of the tree append its own `process.resourceUsage().maxRSS` to a file on exit; the peak
 *   is the largest. Same meaning as ru_maxrss, Node commands only.
 * A child still running after `timeoutMs` is killed with its whole process group.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

export type RssMethod = "time-v" | "preload";

const gnuTime = "/usr/bin/time";
const preloadScript = join(__dirname, "rssPreload.cjs");
/** Output kept per stream: enough for the summary lines and errors a benchmark prints. */
const keptOutputChars = 256 * 1024;

export interface MeasureOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  method?: RssMethod;
  timeoutMs?: number;
}

export interface MeasuredRun {
  /** Exit code, or null when a signal ended it. */
  status: number | null;
  stdout: string;
  stderr: string;
  wallSeconds: number;
  /** undefined when the method produced no figure (e.g. the child was killed). */
  peakRssMb: number | undefined;
  method: RssMethod;
  timedOut: boolean;
}

export function defaultRssMethod(): RssMethod {
  return existsSync(gnuTime) ? "time-v" : "preload";
}

/** The last "Maximum resident set size (kbytes): N" of GNU time's verbose report (the child may print its own lines first). */
export function parseMaxRssKb(stderr: string): number | undefined {
  const matches = [...stderr.matchAll(/Maximum resident set size \(kbytes\): (\d+)/g)];
  const last = matches.at(-1);
  return last === undefined ? undefined : Number(last[1]);
}

/** Largest of the per-process maxRSS lines (kB) rssPreload.cjs appended. */
export function parsePreloadKb(text: string): number | undefined {
  const values = text
    .split("\n")
    .map((line) => Number(line.trim()))
    .filter((value) => Number.isFinite(value) && value > 0);
  return values.length === 0 ? undefined : Math.max(...values);
}

function keepTail(text: string, chunk: Buffer): string {
  const joined = text + chunk.toString("utf8");
  return joined.length > keptOutputChars ? joined.slice(-keptOutputChars) : joined;
}

export async function runMeasured(command: string, args: readonly string[], options: MeasureOptions = {}): Promise<MeasuredRun> {
  const method = options.method ?? defaultRssMethod();
  const scratch = await mkdtemp(join(tmpdir(), "bench-rss-"));
  const rssFile = join(scratch, "maxrss.txt");
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (method === "preload") {
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ""} --require ${JSON.stringify(preloadScript)}`.trim();
    env.LLMOPS_BENCH_RSS_FILE = rssFile;
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
    const kb = method === "time-v" ? parseMaxRssKb(stderr) : parsePreloadKb(await readFile(rssFile, "utf8").catch(() => ""));
    return { status, stdout, stderr, wallSeconds, peakRssMb: kb === undefined ? undefined : Math.round(kb / 1024), method, timedOut };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
