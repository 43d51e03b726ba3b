/**
 * Goodput under an Azure OpenAI quota: 1 000 rows at concurrency 64 through runBulk and the LLM client against the
 * fake server admitting QUOTA requests a minute (default 300), answering 429 with Retry-After beyond. Two window
 * shapes (a fixed 60 s window, and 1 s windows of QUOTA/60 each, as Azure enforces per-second too), each with and
 * without `requests_per_minute` configured.
 *
 * Time is scaled, not cut: the server's windows and Retry-After, and the client's clock (rate buckets, waits), all
 * read one clock that runs SCALE times faster than the wall clock (default 20), so a 3-minute run takes ~10 s while
 * every ratio the behaviour depends on (window : Retry-After : bucket refill : burst) stays as in production. Only
 * the local server's latency (about 1 ms) is not scaled: it counts SCALE times slower in virtual time, i.e. the
 * run sees a realistic ~20 ms model latency.
 *
 * goodput = requests answered per (virtual) minute / quota. A fixed 60 s window lets a run that ends early in a window
 * exceed 100 %: 1 000 rows at 300/min finish in the 4th window.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock, type Clock } from "../../src/core/clock";
import { createLlmInvoker } from "../../src/llm/invoker";
import { runBulk } from "../../src/runs/bulk/runBulk";
import type { LineExecutor } from "../../src/runs/bulk/types";
import { azureConnectionTo, startFakeOpenAiServer } from "../support/fakeOpenAiServer";
import { envNumber, writeDataset } from "./dataset";

function scaledClock(scale: number): Clock {
  const start = Date.now();
  return {
    now: () => start + (Date.now() - start) * scale,
    sleep: (ms, signal) => systemClock.sleep(ms / scale, signal),
  };
}

async function measure(rows: number, concurrency: number, quota: number, windowMs: number, configured: boolean, scale: number): Promise<string> {
  const clock = scaledClock(scale);
  const server = await startFakeOpenAiServer({ apiKey: "bench-key", logRequests: false, quota: { requests: windowMs === 60_000 ? quota : quota / 60, windowMs, now: () => clock.now() } });
  const dir = await mkdtemp(join(tmpdir(), "bench-quota-"));
  try {
    const connection = azureConnectionTo(server, "bench-key", configured ? { requestsPerMinute: quota } : undefined);
    const llm = createLlmInvoker({ http: { clock } });
    const executor: LineExecutor = {
      runLine: async (inputs, context) => {
        const result = await llm.invoke({ api: "chat", connection, model: "gpt-4o-mini", parameters: { max_tokens: 16 }, messages: [{ role: "user", content: String(inputs.text) }] }, context.signal);
        return { status: "Completed", outputs: { answer: result.text }, usage: result.usage };
      },
    };
    const data = join(dir, "data.jsonl");
    await writeDataset(data, rows);
    const started = clock.now();
    const summary = await runBulk({ data, executor, runDir: join(dir, "run"), concurrency });
    const minutes = (clock.now() - started) / 60_000;
    const counts = server.quotaCounts();
    const goodput = summary.completed / minutes / quota;
    const shape = windowMs === 60_000 ? "60s-window" : "1s-windows";
    return (
      `${shape.padEnd(10)} quota_configured=${configured ? "yes" : "no "} rows=${rows} completed=${summary.completed} failed=${summary.failed} ` +
      `429s=${counts.throttled} virtual_s=${(minutes * 60).toFixed(1)} goodput=${(100 * goodput).toFixed(1)}% of ${quota}/min`
    );
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const rows = envNumber("BENCH_ROWS", 1_000);
  const concurrency = envNumber("BENCH_CONCURRENCY", 64);
  const quota = envNumber("BENCH_QUOTA", 300);
  const scale = envNumber("BENCH_TIME_SCALE", 20);
  console.log(`time scaled x${scale}: a virtual minute takes ${(60 / scale).toFixed(1)} s`);
  for (const windowMs of [60_000, 1_000]) {
    for (const configured of [false, true]) console.log(await measure(rows, concurrency, quota, windowMs, configured, scale));
  }
}
