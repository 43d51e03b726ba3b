/**
 * `npm run bench -- scale-out [--lines 100000] [--rounds 2000] [--instances 1,2,4] [--mini-batch-size 500]
 * [--concurrency 1]`: the same CPU-bound Python flow (test/support/flows/cpu_bound: `rounds` sha256 per line) over
 * the same dataset, once on this machine (`llmops run`) and once per instance count through the simulated Azure ML
 * service (`llmops run --on azureml`: Azurite, local jobs service, one process per instance). Prints wall time,
 * speed-up over 1 instance, speed-up per instance and the overhead per line of going through jobs (upload, job
 * start, mini-batch files, download, merge) against the local run. The instances share this machine's cores, so
 * the speed-up is bounded by the cores, not by the jobs service: on Azure ML each instance is its own node.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { startCli } from "../support/cliProcess";
import { cpuBoundFlow, startScaleOut } from "../support/scaleOut";

function flag(args: string[], name: string, fallback: string): string {
  const index = args.indexOf(`--${name}`);
  return index >= 0 && args[index + 1] !== undefined ? args[index + 1] : fallback;
}

async function timed(args: string[], env: Record<string, string>, expectLines: number, outDir: string): Promise<number> {
  const started = performance.now();
  const result = await startCli(args, env, 60 * 60_000).done;
  const seconds = (performance.now() - started) / 1000;
  if (result.code !== 0) throw new Error(`llmops ${args.join(" ")} exited ${result.code}:\n${result.stderr.slice(-2000)}`);
  const outputs = fs.readFileSync(path.join(outDir, "scale__default", "outputs.jsonl"), "utf8").split("\n").filter((line) => line !== "").length;
  if (outputs !== expectLines) throw new Error(`expected ${expectLines} lines in outputs.jsonl, found ${outputs}`);
  return seconds;
}

export async function run(args: string[]): Promise<void> {
  const lines = Number(flag(args, "lines", "100000"));
  const rounds = Number(flag(args, "rounds", "2000"));
  const instanceCounts = flag(args, "instances", "1,2,4").split(",").map(Number);
  const miniBatchSize = flag(args, "mini-batch-size", "500");
  const concurrency = flag(args, "concurrency", "1");
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-scale-out-"));
  const services = await startScaleOut({ maxNodes: Math.max(...instanceCounts) });
  try {
    const data = path.join(tmp, "scale.jsonl");
    fs.writeFileSync(data, Array.from({ length: lines }, (_, id) => JSON.stringify({ id, text: `line ${id} ${"x".repeat(id % 50)}`, rounds, fail_sevens: false })).join("\n") + "\n");
    console.log(`lines=${lines} rounds=${rounds} mini_batch_size=${miniBatchSize} concurrency_per_instance=${concurrency} cpus=${os.cpus().length}`);

    const localOut = path.join(tmp, "local");
    const local = await timed(["run", "--flow", cpuBoundFlow, "--data", data, "--out", localOut, "--concurrency", concurrency], {}, lines, localOut);
    console.log(`local (llmops run, one process): ${local.toFixed(1)} s, ${((local * 1000) / lines).toFixed(3)} ms/line`);

    const rows: { instances: number; seconds: number }[] = [];
    for (const instances of instanceCounts) {
      const out = path.join(tmp, `azureml-${instances}`);
      const seconds = await timed(
        ["run", "--flow", cpuBoundFlow, "--data", data, "--out", out, "--on", "azureml", "--stack", "dev", "--instances", String(instances), "--mini-batch-size", miniBatchSize, "--concurrency", concurrency, "--poll-interval", "0.5"],
        services.env,
        lines,
        out,
      );
      rows.push({ instances, seconds });
    }
    const base = rows.find((row) => row.instances === 1)?.seconds ?? rows[0].seconds;
    console.log("\ninstances  seconds  ms/line  speed-up  speed-up/instance");
    for (const row of rows) {
      const speedUp = base / row.seconds;
      console.log(
        `${String(row.instances).padStart(9)}  ${row.seconds.toFixed(1).padStart(7)}  ${((row.seconds * 1000) / lines).toFixed(3).padStart(7)}  ` +
          `${speedUp.toFixed(2).padStart(8)}  ${(speedUp / row.instances).toFixed(2).padStart(17)}`,
      );
    }
    const single = rows.find((row) => row.instances === 1);
    if (single) console.log(`overhead of the jobs path (1 instance vs local): ${(((single.seconds - local) * 1000) / lines).toFixed(3)} ms/line`);
    console.log(JSON.stringify({ lines, rounds, miniBatchSize: Number(miniBatchSize), concurrency: Number(concurrency), cpus: os.cpus().length, localSeconds: local, runs: rows }));
  } finally {
    await services.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
