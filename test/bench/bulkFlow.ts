/**
 * Memory flat in the number of lines: BENCH_ROWS (default 1 000 000) through runBulk and the DAG flow executor (a
 * prompt node and an LLM node answered in-process, no aggregation node), as `llmops run` runs them. Prints the
 * peak RSS and the live heap (after a full GC) at each quarter of the run. The run happens in a child process
 * whose heap is capped at BENCH_HEAP_MB (default 160 MB, where the runner used to die in its final sort at 1 M rows):
 * finishing at all under the cap is the proof that memory does not grow with the lines.
 */
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createFlowExecutor } from "../../src/flow/executor";
import { loadFlow } from "../../src/flow/loadFlow";
import type { LlmInvoker } from "../../src/llm/types";
import { runBulk } from "../../src/runs/bulk/runBulk";
import { cpuMsPerRow, envNumber, peakRssMb, writeDataset } from "./dataset";

const flowYaml = `inputs:
  text: {type: string}
  tier: {type: string, default: standard}
outputs:
  category: {type: string, reference: "\${classify.output}"}
nodes:
- name: prompt
  type: prompt
  source: {type: code, path: prompt.jinja2}
  inputs:
    text: \${inputs.text}
    tier: \${inputs.tier}
- name: classify
  type: llm
  source: {type: code, path: classify.jinja2}
  connection: aoai
  api: chat
  inputs:
    deployment_name: gpt-4o-mini
    prompt: \${prompt.output}
`;

export async function run(): Promise<void> {
  if (!global.gc) {
    const heapMb = envNumber("BENCH_HEAP_MB", 160);
    const child = spawnSync(process.execPath, [`--max-old-space-size=${heapMb}`, "--expose-gc", "--require", "tsx/cjs", "-e", `require(${JSON.stringify(__filename)}).run()`], { stdio: "inherit" });
    if (child.status !== 0) {
      console.error(`the run did not finish under a ${heapMb} MB heap (exit ${child.status ?? child.signal})`);
      process.exitCode = 1;
    }
    return;
  }
  const rows = envNumber("BENCH_ROWS", 1_000_000);
  const concurrency = envNumber("BENCH_CONCURRENCY", 16);
  const dir = await mkdtemp(join(tmpdir(), "bench-flow-"));
  try {
    const flowDir = join(dir, "flow");
    await writeDataset(join(dir, "data.jsonl"), rows);
    await mkdir(flowDir);
    await writeFile(join(flowDir, "flow.dag.yaml"), flowYaml);
    await writeFile(join(flowDir, "prompt.jinja2"), "Ticket from a {{ tier }} customer: {{ text }}");
    await writeFile(join(flowDir, "classify.jinja2"), "system:\nClassify the ticket.\nuser:\n{{ prompt }}\n");
    const llm: LlmInvoker = {
      invoke: async (request) => ({
        text: JSON.stringify(request).includes("invoice") ? "billing" : "technical",
        usage: { promptTokens: 20, completionTokens: 1, totalTokens: 21 },
        finishReason: "stop",
      }),
    };
    const executor = createFlowExecutor({
      environment: process.env,
      flow: loadFlow(flowDir),
      connections: { aoai: { type: "azure_open_ai", name: "aoai", apiBase: "http://127.0.0.1:9", apiVersion: "2024-06-01", authMode: "key", apiKey: "bench" } },
      llm,
    });
    const started = performance.now();
    const cpu = process.cpuUsage();
    let finished = 0;
    const samples: string[] = [];
    const progress = {
      start: () => undefined,
      finish: () => undefined,
      lineFinished: () => {
        if (++finished % Math.max(1, Math.floor(rows / 4)) === 0 && global.gc) {
          global.gc();
          samples.push(`${finished}:${Math.round(process.memoryUsage().heapUsed / 1024 / 1024)}MB`);
        }
      },
    };
    const summary = await runBulk({ data: join(dir, "data.jsonl"), executor, runDir: join(dir, "run"), concurrency, inputNames: ["text", "tier"], progress });
    await executor.close?.();
    const seconds = (performance.now() - started) / 1000;
    global.gc?.();
    console.log(
      `rows=${rows} concurrency=${concurrency} completed=${summary.completed} failed=${summary.failed} seconds=${seconds.toFixed(1)} ` +
        `rows_per_s=${Math.round(rows / seconds)} cpu_ms_per_row=${cpuMsPerRow(cpu, rows)} peak_rss_mb=${peakRssMb()} ` +
        `heap_after_mb=${Math.round(process.memoryUsage().heapUsed / 1024 / 1024)}${samples.length > 0 ? ` live_heap_during_run=${samples.join(",")}` : ""}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
