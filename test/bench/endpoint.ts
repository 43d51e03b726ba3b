/**
 * The endpoint benchmark: the same scoring workload through our evaluate path and through promptfoo, side by side.
 *   npm run bench -- endpoint [--rows 4000] [--concurrency 64] [--latency-ms 20] [--runs 3] [--skip-promptfoo]
 *                             [--out <file.json>] [--promptfoo-dir <dir>]
 * A local endpoint (its own process) answers `/score` after a fixed latency; each tool run is its own measured
 * process (wall time, peak RSS, CPU), runs alternate between the tools so machine noise hits both alike, and the table
 * shows medians. Asserts only that both tools scored every row; the figures are for reading, not for passing.
 */
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { expectedPasses, promptfooTestLine, ticketRow, writeJsonl } from "./endpointDataset";
import { formatTable, idealRowsPerSecond, summarizeTool, type BenchSettings, type ToolRun, type ToolSummary } from "./endpointReport";
import type { OurEvaluateResult } from "./ourEvaluate";
import { defaultUsageMethod, runMeasured, type UsageMethod } from "./measuredProcess";
import { defaultPromptfooDir, ensurePromptfoo, promptfooArgs, promptfooConfig, promptfooEnv, promptfooVersion, readPromptfooOutput } from "./promptfoo";

/** A run that takes longer than this is stuck, not slow: promptfoo managed about 87 rows/s here. */
const runTimeoutMs = 30 * 60_000;

interface EndpointBenchOptions extends BenchSettings {
  runs: number;
  skipPromptfoo: boolean;
  out: string;
  promptfooDir: string;
}

function positiveInteger(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new RangeError(`--${flag} must be a whole number >= 1, found '${value}'`);
  return parsed;
}

export function parseEndpointBenchArgs(args: string[]): EndpointBenchOptions {
  const { values } = parseArgs({
    args,
    options: {
      rows: { type: "string" },
      concurrency: { type: "string" },
      "latency-ms": { type: "string" },
      runs: { type: "string" },
      "skip-promptfoo": { type: "boolean", default: false },
      out: { type: "string" },
      "promptfoo-dir": { type: "string" },
    },
    strict: true,
  });
  return {
    rows: positiveInteger("rows", values.rows, 4000),
    concurrency: positiveInteger("concurrency", values.concurrency, 64),
    latencyMs: positiveInteger("latency-ms", values["latency-ms"], 20),
    runs: positiveInteger("runs", values.runs, 3),
    skipPromptfoo: values["skip-promptfoo"] === true,
    out: values.out ?? join(tmpdir(), "llmops-bench-endpoint.json"),
    promptfooDir: values["promptfoo-dir"] ?? defaultPromptfooDir(),
  };
}

/** A tool run before the endpoint's side of it is added. */
type MeasuredToolRun = Omit<ToolRun, "endpointRequests" | "endpointCpuSeconds">;

interface EndpointUsage {
  answered: number;
  cpuSeconds: number;
}

async function endpointUsage(endpoint: ChildProcess): Promise<EndpointUsage> {
  const reply = once(endpoint, "message");
  endpoint.send({});
  const [usage] = (await reply) as [EndpointUsage];
  return usage;
}

/** Runs one measured tool run and adds what the endpoint served and spent meanwhile. */
async function withEndpointUsage(endpoint: ChildProcess, measure: () => Promise<MeasuredToolRun>): Promise<ToolRun> {
  const before = await endpointUsage(endpoint);
  const run = await measure();
  const after = await endpointUsage(endpoint);
  return { ...run, endpointRequests: after.answered - before.answered, endpointCpuSeconds: after.cpuSeconds - before.cpuSeconds };
}

async function startEndpoint(latencyMs: number): Promise<{ process: ChildProcess; scoringUrl: string }> {
  const child = fork(join(__dirname, "endpointServerProcess.ts"), [String(latencyMs)], { execArgv: ["--require", "tsx/cjs"] });
  const [message] = (await Promise.race([once(child, "message"), once(child, "exit").then(() => [undefined])])) as [{ url?: string } | undefined];
  if (message?.url === undefined) throw new Error("the benchmark endpoint did not start");
  return { process: child, scoringUrl: message.url };
}

function describeFailure(tool: string, status: number | null, stderr: string): string {
  return `${tool} exited with ${status ?? "a signal"}:\n${stderr.split("\n").slice(-15).join("\n")}`;
}

async function runOurs(dir: string, data: string, scoringUrl: string, options: EndpointBenchOptions, index: number, method: UsageMethod): Promise<MeasuredToolRun> {
  const runDir = join(dir, `ours-${index}`);
  const resultFile = join(dir, `ours-${index}.json`);
  const measured = await runMeasured(
    process.execPath,
    ["--require", "tsx/cjs", join(__dirname, "ourEvaluateProcess.ts"), data, scoringUrl, String(options.concurrency), runDir, resultFile],
    { method, timeoutMs: runTimeoutMs },
  );
  await rm(runDir, { recursive: true, force: true });
  if (measured.status !== 0) throw new Error(describeFailure("our evaluate run", measured.status, measured.stderr));
  const result = JSON.parse(await readFile(resultFile, "utf8")) as OurEvaluateResult;
  return {
    rows: result.completed + result.failed,
    scored: result.scored,
    passed: result.passed,
    seconds: result.seconds,
    wallSeconds: measured.wallSeconds,
    latencyMs: result.latencyMs,
    peakRssMb: measured.peakRssMb,
    cpuSeconds: measured.cpuSeconds,
  };
}

async function runPromptfoo(cli: string, dir: string, config: string, options: EndpointBenchOptions, index: number, method: UsageMethod): Promise<MeasuredToolRun> {
  const outFile = join(dir, `promptfoo-${index}.json`);
  // A fresh home per run: promptfoo keeps every eval in a database there, which must not grow across runs.
  const measured = await runMeasured(process.execPath, [cli, ...promptfooArgs(config, outFile, options.concurrency)], {
    method,
    cwd: dir,
    env: promptfooEnv(join(dir, `promptfoo-home-${index}`)),
    timeoutMs: runTimeoutMs,
  });
  // promptfoo exits 100 when any assertion fails, and 0.121 may exit non-zero after writing its results (a logger
  // "write after end"): the output file decides, not the exit code.
  const text = await readFile(outFile, "utf8").catch(() => undefined);
  if (text === undefined) throw new Error(describeFailure("promptfoo", measured.status, measured.stderr));
  const outcome = readPromptfooOutput(JSON.parse(text));
  await rm(outFile, { force: true });
  return {
    rows: outcome.rows,
    scored: outcome.scored,
    passed: outcome.passed,
    seconds: outcome.evalSeconds ?? measured.wallSeconds,
    wallSeconds: measured.wallSeconds,
    latencyMs: outcome.latencyMs,
    peakRssMb: measured.peakRssMb,
    cpuSeconds: measured.cpuSeconds,
  };
}

function runLine(tool: string, index: number, run: ToolRun): string {
  return `  ${tool} run ${index + 1}: ${run.seconds.toFixed(2)} s, ${run.scored}/${run.rows} scored, ${run.passed} passed, peak RSS ${run.peakRssMb ?? "n/a"} MB, CPU ${run.cpuSeconds?.toFixed(2) ?? "n/a"} s; endpoint: ${run.endpointRequests} requests, CPU ${run.endpointCpuSeconds.toFixed(2)} s`;
}

export async function runEndpointBench(options: EndpointBenchOptions): Promise<{ summaries: ToolSummary[]; report: unknown }> {
  const method = defaultUsageMethod();
  const dir = await mkdtemp(join(tmpdir(), "bench-endpoint-"));
  try {
    const data = join(dir, "data.jsonl");
    await writeJsonl(data, options.rows, (i) => JSON.stringify(ticketRow(i)));
    const endpoint = await startEndpoint(options.latencyMs);
    try {
      let promptfoo: { cli: string; config: string } | undefined;
      if (!options.skipPromptfoo) {
        const tests = join(dir, "tests.jsonl");
        await writeJsonl(tests, options.rows, (i) => promptfooTestLine(ticketRow(i)));
        promptfoo = { cli: await ensurePromptfoo(options.promptfooDir, (message) => console.log(message)), config: join(dir, "promptfooconfig.json") };
        await writeFile(promptfoo.config, JSON.stringify(promptfooConfig(endpoint.scoringUrl, tests), null, 2));
      }
      console.log(
        `endpoint ${endpoint.scoringUrl} answering after ${options.latencyMs} ms; ${options.rows} rows at concurrency ${options.concurrency}, ` +
          `${options.runs} run(s) per tool, peak RSS and CPU by ${method === "time-v" ? "/usr/bin/time -v" : "a Node preload"}`,
      );

      const ours: ToolRun[] = [];
      const theirs: ToolRun[] = [];
      for (let i = 0; i < options.runs; i++) {
        ours.push(await withEndpointUsage(endpoint.process, () => runOurs(dir, data, endpoint.scoringUrl, options, i, method)));
        console.log(runLine("llmops", i, ours[i]));
        if (promptfoo !== undefined) {
          const { cli, config } = promptfoo;
          theirs.push(await withEndpointUsage(endpoint.process, () => runPromptfoo(cli, dir, config, options, i, method)));
          console.log(runLine(`promptfoo ${promptfooVersion}`, i, theirs[i]));
        }
      }

      const summaries = [summarizeTool("llmops evaluate (runBulk + scoring target + exact_match)", ours, options)];
      if (promptfoo !== undefined) summaries.push(summarizeTool(`promptfoo ${promptfooVersion} (http provider + equals)`, theirs, options));
      const report = {
        benchmark: "endpoint",
        settings: { rows: options.rows, concurrency: options.concurrency, latencyMs: options.latencyMs, runs: options.runs },
        idealRowsPerSecond: idealRowsPerSecond(options),
        expectedPasses: expectedPasses(options.rows),
        machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform },
        usageMethod: method,
        tools: summaries,
        runs: { llmops: ours, ...(promptfoo !== undefined ? { promptfoo: theirs } : {}) },
        finishedAt: new Date().toISOString(),
      };
      return { summaries, report };
    } finally {
      endpoint.process.disconnect();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(args: string[] = []): Promise<void> {
  let options: EndpointBenchOptions;
  try {
    options = parseEndpointBenchArgs(args);
  } catch (err) {
    console.error(`endpoint benchmark: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
    return;
  }
  const { summaries, report } = await runEndpointBench(options);
  console.log(`\nideal ${idealRowsPerSecond(options).toFixed(0)} rows/s (concurrency / latency); medians of ${options.runs} run(s)\n`);
  console.log(formatTable(summaries));
  console.log(`\nthe endpoint's own CPU per row: ${summaries.map((s) => `${s.tool.split(" ")[0]} ${s.endpointCpuMsPerRow.toFixed(2)} ms`).join(", ")} (same machine)`);
  await writeFile(options.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwritten ${options.out}`);
  const incomplete = summaries.filter((s) => !s.allRowsScored);
  if (incomplete.length > 0) {
    console.error(`not every row was scored by: ${incomplete.map((s) => s.tool).join(", ")}`);
    process.exitCode = 1;
  }
}
