/**
 * `npm run bench -- serve`: what `llmops serve` adds on top of the engine. A one-node chat flow calls the fake
 * model (its own process, 20 ms per answer) at concurrency 64, first in-process through the same engine entry the
 * server uses, then over HTTP against a real `llmops serve` process (keep-alive client). Reports requests/s and
 * p50/p99 latency of both and the difference (the server's added latency), then the server's RSS while it answers
 * 100 000 requests (flat = no growth per request).
 * Then streamed answers (`Accept: text/event-stream`, the model sending one word every --chunk-ms): time to the
 * first word against time to the whole answer, per request.
 *   flags: --requests <n> (latency phases, default 5000)  --memory-requests <n> (default 100000, 0 skips)
 *          --concurrency <n> (64)  --latency-ms <n> (20)  --stream-requests <n> (200, 0 skips)  --chunk-ms <n> (20)
 * The client runs in this process and shares the machine's cores with the server: figures are upper bounds.
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import * as fs from "node:fs";
import { Agent, request } from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { createPythonPool } from "../../src/flow/pythonPool";
import { createLlmInvoker } from "../../src/llm/invoker";
import { loadFlowToServe } from "../../src/serve/servedFlow";
import { startServe } from "../support/llmopsServe";

function flag(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(args[index + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name}: expected a whole number, found '${args[index + 1]}'`);
  return value;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

interface PhaseResult {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  failed: number;
}

/** `total` calls of `call`, `concurrency` at a time; latency per call. */
async function drive(total: number, concurrency: number, call: (i: number) => Promise<boolean>): Promise<PhaseResult> {
  const latencies = new Float64Array(total);
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        if (!(await call(i))) failed += 1;
        latencies[i] = performance.now() - t0;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  return { requests: total, seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), failed };
}

function line(name: string, result: PhaseResult): string {
  return `${name.padEnd(10)} requests=${result.requests} failed=${result.failed} rps=${Math.round(result.requests / result.seconds)} p50_ms=${result.p50.toFixed(2)} p99_ms=${result.p99.toFixed(2)}`;
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? "0");
  return Math.round(kb / 1024);
}

/** CPU time (user + system) a process has used, in ms, from /proc (clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function writeFlow(dir: string, modelUrl: string): { flow: string; connections: string } {
  fs.writeFileSync(
    path.join(dir, "flow.dag.yaml"),
    [
      "inputs:",
      "  ticket_text: {type: string, is_chat_input: true}",
      "outputs:",
      '  answer: {type: string, reference: "${classify.output}", is_chat_output: true}',
      "nodes:",
      "- name: classify",
      "  type: llm",
      "  source: {type: code, path: classify.jinja2}",
      '  inputs: {deployment_name: gpt-4o-mini, max_tokens: "16", ticket_text: "${inputs.ticket_text}"}',
      "  connection: aoai",
      "  api: chat",
      "",
    ].join("\n"),
  );
  fs.writeFileSync(path.join(dir, "classify.jinja2"), "system:\nClassify the ticket.\nuser:\n{{ticket_text}}\n");
  const connections = path.join(dir, "connections.yaml");
  fs.writeFileSync(connections, `- {name: aoai, connection_type: AzureOpenAIConnection, api_base: "${modelUrl}", api_version: "2024-06-01", api_key: "\${BENCH_KEY}"}\n`);
  return { flow: dir, connections };
}

export async function run(args: string[]): Promise<void> {
  const requests = flag(args, "requests", 5000);
  const memoryRequests = flag(args, "memory-requests", 100_000);
  const concurrency = flag(args, "concurrency", 64);
  const latencyMs = flag(args, "latency-ms", 20);
  const streamRequests = flag(args, "stream-requests", 200);
  const chunkMs = flag(args, "chunk-ms", 20);
  const model = fork(path.join(__dirname, "fakeServerProcess.ts"), [String(latencyMs), String(chunkMs)], { execArgv: ["--require", "tsx/cjs"] });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-serve-"));
  try {
    const [message] = (await once(model, "message")) as [{ url: string }];
    const { flow, connections } = writeFlow(dir, message.url);
    const body = (i: number): string => JSON.stringify({ ticket_text: `ticket number ${i}: my invoice is wrong` });

    // In-process: the engine entry the server uses, no HTTP.
    const python = createPythonPool({ size: 1, environment: process.env });
    const served = await loadFlowToServe(flow, process.env).start({
      environment: process.env,
      connections: { aoai: { type: "azure_open_ai", name: "aoai", apiBase: message.url, apiVersion: "2024-06-01", authMode: "key", apiKey: "bench-key" } },
      llm: createLlmInvoker(),
      python,
    });
    // A signal per request, as the server gives each request its own (one shared signal would collect a listener per line in flight).
    const signal = () => new AbortController().signal;
    await drive(500, concurrency, async (i) => (await served.run({ ticket_text: `warm ${i}` }, signal())).status === "Completed");
    const cpuBefore = process.cpuUsage();
    const inProcess = await drive(requests, concurrency, async (i) => (await served.run(JSON.parse(body(i)) as Record<string, unknown>, signal())).status === "Completed");
    const cpuUsed = process.cpuUsage(cpuBefore);
    const inProcessCpuMs = (cpuUsed.user + cpuUsed.system) / 1000 / requests;
    await served.close();
    await python.close();

    // Over HTTP against a real llmops serve.
    const server = await startServe({ args: ["--flow", flow, "--connections", connections], env: { BENCH_KEY: "bench-key" }, timeoutMs: 120_000 });
    const { port } = new URL(server.url);
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    const post = (i: number): Promise<boolean> =>
      new Promise((resolve) => {
        const payload = body(i);
        const req = request({ host: "127.0.0.1", port, path: "/score", method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode === 200));
        });
        req.on("error", () => resolve(false));
        req.end(payload);
      });
    try {
      await drive(500, concurrency, post);
      const serverCpuBefore = cpuMsOf(server.child.pid!);
      const overHttp = await drive(requests, concurrency, post);
      const serverCpuMs = (cpuMsOf(server.child.pid!) - serverCpuBefore) / requests;
      console.log(`model latency ${latencyMs} ms, concurrency ${concurrency}, ${os.cpus().length} CPUs (client and server share them)`);
      console.log(line("in-process", inProcess));
      console.log(line("llmops serve", overHttp));
      console.log(`added by serving: p50_ms=${(overHttp.p50 - inProcess.p50).toFixed(2)} p99_ms=${(overHttp.p99 - inProcess.p99).toFixed(2)} (target p99 < 5)`);
      // CPU per request does not depend on how loaded the machine is: what the server adds, request by request.
      console.log(`cpu per request: engine in-process ${inProcessCpuMs.toFixed(2)} ms (with its client), llmops serve process ${serverCpuMs.toFixed(2)} ms`);
      if (streamRequests > 0) {
        const firstWord = new Float64Array(streamRequests);
        const whole = new Float64Array(streamRequests);
        const streamed = await drive(streamRequests, Math.min(concurrency, 16), (i) =>
          new Promise((resolve) => {
            const payload = body(i);
            const t0 = performance.now();
            const req = request({ host: "127.0.0.1", port, path: "/score", method: "POST", agent, headers: { "content-type": "application/json", accept: "text/event-stream", "content-length": Buffer.byteLength(payload) } }, (res) => {
              res.once("data", () => (firstWord[i] = performance.now() - t0));
              res.resume();
              res.on("end", () => {
                whole[i] = performance.now() - t0;
                resolve(res.statusCode === 200);
              });
            });
            req.on("error", () => resolve(false));
            req.end(payload);
          }),
        );
        const sortedFirst = Array.from(firstWord).sort((a, b) => a - b);
        const sortedWhole = Array.from(whole).sort((a, b) => a - b);
        console.log(
          `streamed answers (${streamRequests}, ${chunkMs} ms between words, ${streamed.failed} failed): first word p50_ms=${percentile(sortedFirst, 50).toFixed(1)} p99_ms=${percentile(sortedFirst, 99).toFixed(1)}; whole answer p50_ms=${percentile(sortedWhole, 50).toFixed(1)} p99_ms=${percentile(sortedWhole, 99).toFixed(1)}`,
        );
      }
      if (memoryRequests > 0) {
        const pid = server.child.pid!;
        const checkpoints: string[] = [`0:${rssMb(pid)}MB`];
        const step = Math.max(1, Math.floor(memoryRequests / 8));
        let done = 0;
        while (done < memoryRequests) {
          const batch = Math.min(step, memoryRequests - done);
          const result = await drive(batch, concurrency, (i) => post(done + i));
          done += batch;
          checkpoints.push(`${done}:${rssMb(pid)}MB${result.failed > 0 ? ` (${result.failed} failed)` : ""}`);
        }
        console.log(`server rss by requests answered: ${checkpoints.join("  ")}`);
      }
    } finally {
      agent.destroy();
      await server.stop();
    }
  } finally {
    model.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
