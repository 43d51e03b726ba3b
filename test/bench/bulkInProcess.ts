/** Runner overhead: a trivial in-process executor, so the figures are the runner's own cost per line. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { runBulk } from "../../src/runs/bulk/runBulk";
import type { LineExecutor } from "../../src/runs/bulk/types";
import { cpuMsPerRow, envNumber, peakRssMb, writeDataset } from "./dataset";

export async function run(): Promise<void> {
  const rows = envNumber("BENCH_ROWS", 100_000);
  const concurrency = envNumber("BENCH_CONCURRENCY", 16);
  const dir = await mkdtemp(join(tmpdir(), "bench-bulk-"));
  try {
    const data = join(dir, "data.jsonl");
    await writeDataset(data, rows);
    const executor: LineExecutor = {
      runLine: async (inputs) => ({
        status: "Completed",
        outputs: { category: String(inputs.text).length % 2 === 0 ? "billing" : "technical" },
        usage: { promptTokens: 10, completionTokens: 2, totalTokens: 12 },
        aggregationInputs: { length: String(inputs.text).length },
      }),
      aggregate: async (lines) => ({ metrics: { lines: lines.length } }),
    };
    const started = performance.now();
    const cpu = process.cpuUsage();
    const summary = await runBulk({ data, executor, runDir: join(dir, "run"), concurrency });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `rows=${rows} concurrency=${concurrency} completed=${summary.completed} seconds=${seconds.toFixed(2)} ` +
        `rows_per_s=${Math.round(rows / seconds)} cpu_ms_per_row=${cpuMsPerRow(cpu, rows)} peak_rss_mb=${peakRssMb()}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
