/**
 * Benchmark dispatcher (not a test: prints figures, asserts nothing).
 *   npm run bench                 every benchmark, each in its own process so peak RSS is its own
 *   npm run bench -- bulk         one by name
 * Add a benchmark: write a module exporting `run(): Promise<void>` and register it below.
 */
import { spawnSync } from "node:child_process";

interface Benchmark {
  description: string;
  load: () => { run(): Promise<void> };
}

const benchmarks: Record<string, Benchmark> = {
  bulk: { description: "100 000 generated lines through runBulk with an in-process executor", load: () => require("./bulkInProcess") },
  "bulk-llm": { description: "generated lines through runBulk and the LLM client against the fake OpenAI server (20 ms)", load: () => require("./bulkLlm") },
};

async function main(names: string[]): Promise<void> {
  const unknown = names.filter((name) => !benchmarks[name]);
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${Object.keys(benchmarks).join(", ")}`);
    process.exitCode = 2;
    return;
  }
  if (names.length === 1) {
    await benchmarks[names[0]].load().run();
    return;
  }
  for (const name of names.length > 0 ? names : Object.keys(benchmarks)) {
    console.log(`\n== ${name}: ${benchmarks[name].description}`);
    const child = spawnSync(process.execPath, ["--require", "tsx/cjs", __filename, name], { stdio: "inherit" });
    if (child.status !== 0) process.exitCode = child.status ?? 1;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
