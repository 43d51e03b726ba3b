/**
 * The HTTP path end to end: runBulk -> LLM client -> fake OpenAI server answering after a fixed latency, in a
 * child process so the server's CPU and memory are not counted as ours. The ideal is concurrency / latency.
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { runBulk } from "../../src/runs/bulk/runBulk";
import type { LineExecutor } from "../../src/runs/bulk/types";
import { createLlmInvoker } from "../../src/llm/invoker";
import type { AzureOpenAIConnection } from "../../src/llm/types";
import { cpuMsPerRow, envNumber, peakRssMb, writeDataset } from "./dataset";

export async function run(): Promise<void> {
  const rows = envNumber("BENCH_ROWS", 20_000);
  const concurrency = envNumber("BENCH_CONCURRENCY", 64);
  const latencyMs = envNumber("BENCH_LATENCY_MS", 20);
  const server = fork(join(__dirname, "fakeServerProcess.ts"), [String(latencyMs)], { execArgv: ["--require", "tsx/cjs"] });
  const dir = await mkdtemp(join(tmpdir(), "bench-llm-"));
  try {
    const [message] = (await once(server, "message")) as [{ url: string }];
    const connection: AzureOpenAIConnection = { type: "azure_open_ai", name: "aoai", apiBase: message.url, apiVersion: "2024-06-01", authMode: "key", apiKey: "bench-key" };
    const llm = createLlmInvoker();
    const executor: LineExecutor = {
      runLine: async (inputs, context) => {
        const result = await llm.invoke(
          {
            api: "chat",
            connection,
            model: "gpt-4o-mini",
            parameters: { temperature: 0, max_tokens: 16 },
            messages: [
              { role: "system", content: "Classify the ticket." },
              { role: "user", content: String(inputs.text) },
            ],
          },
          context.signal,
        );
        return { status: "Completed", outputs: { answer: result.text }, usage: result.usage };
      },
    };
    const data = join(dir, "data.jsonl");
    await writeDataset(data, rows);
    const started = performance.now();
    const cpu = process.cpuUsage();
    const summary = await runBulk({ data, executor, runDir: join(dir, "run"), concurrency });
    const seconds = (performance.now() - started) / 1000;
    const ideal = (concurrency * 1000) / latencyMs;
    const rate = rows / seconds;
    console.log(
      `rows=${rows} concurrency=${concurrency} latency_ms=${latencyMs} completed=${summary.completed} failed=${summary.failed} ` +
        `seconds=${seconds.toFixed(2)} rows_per_s=${Math.round(rate)} ideal_rows_per_s=${Math.round(ideal)} ` +
        `of_ideal=${((100 * rate) / ideal).toFixed(1)}% p50_ms=${summary.latency_ms.p50.toFixed(1)} p99_ms=${summary.latency_ms.p99.toFixed(1)} cpu_ms_per_row=${cpuMsPerRow(cpu, rows)} peak_rss_mb=${peakRssMb()}`,
    );
  } finally {
    server.kill();
    await rm(dir, { recursive: true, force: true });
  }
}
