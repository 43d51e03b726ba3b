/**
 * promptfoo as the side-by-side reference: installed on demand into a scratch folder (never into the project),
 * given a config equivalent to our workload (HTTP provider to the same endpoint, one `equals` assertion per row),
 * and read back from its output JSON. 0.121.20 is the newest promptfoo that runs on Node 20.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const promptfooVersion = "0.121.20";
/** A cold install took 2 to 5 minutes here; more than this means npm is stuck. */
const installTimeoutMs = 20 * 60_000;

export function defaultPromptfooDir(): string {
  return join(tmpdir(), "llmops-bench-promptfoo");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The CLI script of the promptfoo installed in `dir`, if it is the pinned version. */
async function installedCli(dir: string): Promise<string | undefined> {
  const packageDir = join(dir, "node_modules", "promptfoo");
  const manifest: unknown = await readFile(join(packageDir, "package.json"), "utf8").then(JSON.parse, () => undefined);
  if (!isRecord(manifest) || manifest.version !== promptfooVersion || !isRecord(manifest.bin)) return undefined;
  const bin = manifest.bin.promptfoo;
  return typeof bin === "string" ? join(packageDir, bin) : undefined;
}

/** Installs promptfoo into `dir` unless that version is already there; returns its CLI script. */
export async function ensurePromptfoo(dir: string, log: (message: string) => void): Promise<string> {
  const present = await installedCli(dir);
  if (present !== undefined) return present;
  log(`installing promptfoo@${promptfooVersion} into ${dir} (once; takes a few minutes)`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const child = spawn(npm, ["install", "--prefix", dir, "--no-audit", "--no-fund", `promptfoo@${promptfooVersion}`], { stdio: "inherit" });
  const timer = setTimeout(() => child.kill("SIGKILL"), installTimeoutMs);
  const status = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  }).finally(() => clearTimeout(timer));
  const cli = await installedCli(dir);
  if (status !== 0 || cli === undefined) throw new Error(`npm install promptfoo@${promptfooVersion} into ${dir} failed (exit ${status}); rerun, or pass --skip-promptfoo`);
  return cli;
}

/** One HTTP provider posting the flow input to the endpoint, the `category` output compared by `equals`. */
export function promptfooConfig(scoringUrl: string, testsFile: string): Record<string, unknown> {
  return {
    description: "llmops endpoint benchmark",
    prompts: ["{{ticket_text}}"],
    providers: [
      {
        id: scoringUrl,
        config: {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: { ticket_text: "{{ticket_text}}" },
          transformResponse: "json.category",
        },
      },
    ],
    tests: `file://${testsFile}`,
  };
}

export function promptfooArgs(configFile: string, outFile: string, concurrency: number): string[] {
  return ["eval", "-c", configFile, "-j", String(concurrency), "--no-cache", "--no-progress-bar", "--no-table", "-o", outFile];
}

/** Offline and quiet: no telemetry, no update check, its database and logs in `home` instead of ~/.promptfoo. */
export function promptfooEnv(home: string): NodeJS.ProcessEnv {
  return { PROMPTFOO_DISABLE_TELEMETRY: "1", PROMPTFOO_DISABLE_UPDATE: "1", PROMPTFOO_CONFIG_DIR: home };
}

export interface PromptfooOutcome {
  /** Results in the output (one per test case, with one prompt and one provider). */
  rows: number;
  /** Results that got a response and were graded (not failed with an error). */
  scored: number;
  passed: number;
  errors: number;
  /** promptfoo's own evaluation time (stats.durationMs), without its startup. */
  evalSeconds: number | undefined;
  latencyMs: { p50: number; p95: number };
}

/** promptfoo's ResultFailureReason.ERROR: the provider call or the grading failed, no score. */
const failureReasonError = 2;

function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

/** Reads `promptfoo eval -o out.json` (results.results[] and results.stats). */
export function readPromptfooOutput(output: unknown): PromptfooOutcome {
  const results = isRecord(output) && isRecord(output.results) ? output.results : undefined;
  if (results === undefined || !Array.isArray(results.results)) throw new Error("promptfoo output has no results.results array");
  let scored = 0;
  let passed = 0;
  const latencies: number[] = [];
  for (const result of results.results) {
    if (!isRecord(result)) continue;
    if (result.failureReason !== failureReasonError) scored++;
    if (result.success === true) passed++;
    if (typeof result.latencyMs === "number") latencies.push(result.latencyMs);
  }
  latencies.sort((a, b) => a - b);
  const stats = isRecord(results.stats) ? results.stats : {};
  return {
    rows: results.results.length,
    scored,
    passed,
    errors: results.results.length - scored,
    evalSeconds: typeof stats.durationMs === "number" ? stats.durationMs / 1000 : undefined,
    latencyMs: { p50: nearestRank(latencies, 50), p95: nearestRank(latencies, 95) },
  };
}
