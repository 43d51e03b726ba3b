/**
 * Benchmark dispatcher (not a test: prints figures, asserts nothing).
 *   npm run bench                 every benchmark, each in its own process so peak RSS is its own
 *   npm run bench -- bulk         one by name
 *   npm run bench -- endpoint --rows 400 --skip-promptfoo
 *                                 flags after the names go to every benchmark run (those without flags ignore them)
 * Add a benchmark: write a module exporting `run(args: string[]): Promise<void>` and register it below.
 */
import { spawnSync } from "node:child_process";

interface BenchmarkModule {
  run(args: string[]): Promise<void>;
}

interface Benchmark {
  description: string;
  load: () => BenchmarkModule;
}

const benchmarks: Record<string, Benchmark> = {
  bulk: { description: "100 000 generated lines through runBulk with an in-process executor", load: () => require("./bulkInProcess") as BenchmarkModule },
  "bulk-llm": { description: "generated lines through runBulk and the LLM client against the fake OpenAI server (20 ms)", load: () => require("./bulkLlm") as BenchmarkModule },
  "bulk-flow": { description: "1 000 000 lines through runBulk and the DAG flow executor (no aggregation): peak memory flat in the lines", load: () => require("./bulkFlow") as BenchmarkModule },
  quota: { description: "1 000 rows at concurrency 64 against a 300/min Azure OpenAI quota (60 s and 1 s windows), with and without requests_per_minute, in scaled time", load: () => require("./quota") as BenchmarkModule },
  serve: { description: "llmops serve over HTTP vs the engine in-process, one-node flow on a 20 ms fake model at concurrency 64; RSS over 100 000 requests", load: () => require("./serve") as BenchmarkModule },
  plan: { description: "llmops plan --stack dev from the TypeScript sources (tsx) and from dist/, against the module-loading floor; median of 5", load: () => require("./plan") as BenchmarkModule },
  "scale-out": {
    description: "a CPU-bound Python flow on 1, 2 and 4 instances through the simulated Azure ML jobs service (--lines, default 100 000)",
    load: () => require("./scaleOut") as BenchmarkModule,
  },
  endpoint: { description: "llmops evaluate's scoring path vs promptfoo against a local /score endpoint (20 ms), side by side", load: () => require("./endpoint") as BenchmarkModule },
};

async function main(argv: string[]): Promise<void> {
  const firstFlag = argv.findIndex((arg) => arg.startsWith("-"));
  const names = firstFlag < 0 ? argv : argv.slice(0, firstFlag);
  const flags = firstFlag < 0 ? [] : argv.slice(firstFlag);
  const unknown = names.filter((name) => !benchmarks[name]);
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${Object.keys(benchmarks).join(", ")}`);
    process.exitCode = 2;
    return;
  }
  if (names.length === 1) {
    await benchmarks[names[0]].load().run(flags);
    return;
  }
  for (const name of names.length > 0 ? names : Object.keys(benchmarks)) {
    console.log(`\n== ${name}: ${benchmarks[name].description}`);
    const child = spawnSync(process.execPath, ["--require", "tsx/cjs", __filename, name, ...flags], { stdio: "inherit" });
    if (child.status !== 0) process.exitCode = child.status ?? 1;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
