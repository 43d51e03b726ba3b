/**
 * One instance of an Azure ML job: `llmops run-shard` runs the mini-batches of the attempt that fall to this
 * instance through the same bulk runner as a local run, and writes each finished mini-batch to the job's output
 * folder as one file, written under a temporary name and renamed. A mini-batch file is therefore whole or absent:
 * an instance that dies mid mini-batch loses that mini-batch only, and the caller re-runs exactly its lines.
 */
import { mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { writeFileAtomic } from "../../core/files";
import { runBulk } from "../bulk";
import type { LineRecord } from "../bulk/types";
import { createPythonPool } from "../../flow";
import { inputNames } from "../../flow/flowFolder";
import { openFlow } from "../../flow/openFlow";
import { createLlmInvoker } from "../../llm";
import { variantText } from "../runPlan";
import { resolveConnections, type Environment } from "../../llm/connections";
import { instanceOfMiniBatch, miniBatchFileName, miniBatchOf, miniBatchSizeOf, PendingLines, type MiniBatching } from "./pendingLines";
import type { ShardSpec } from "./shardSpec";

export interface RunShardOptions {
  flowDir: string;
  data: string;
  spec: ShardSpec;
  /** 0-based instance index. */
  instance: number;
  /** The job output folder mini-batch files go to. */
  outDir: string;
  /** Variables connections read, secrets included (already fetched from Key Vault). */
  environment: Environment;
  signal?: AbortSignal;
}

export interface ShardResult {
  miniBatches: number;
  completed: number;
  failed: number;
  /** Set when more lines failed than spec.maxFailed allows. */
  tooManyFailures: boolean;
}

export async function runShard(options: RunShardOptions): Promise<ShardResult> {
  const { spec, instance } = options;
  if (!Number.isInteger(instance) || instance < 0 || instance >= spec.instances) {
    throw new RangeError(`instance ${instance} is outside 0..${spec.instances - 1}`);
  }
  const connections = resolveConnections(spec.connections, options.environment, "job spec connections");
  const batching: MiniBatching = { pending: new PendingLines(spec.pending), miniBatchSize: spec.miniBatchSize, instances: spec.instances };
  const mine = (lineNumber: number): boolean => {
    const batch = miniBatchOf(batching, lineNumber);
    return batch >= 0 && instanceOfMiniBatch(batching, batch) === instance;
  };

  const stop = new AbortController();
  const forward = (): void => stop.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", forward, { once: true });
  const open = new Map<number, LineRecord[]>();
  const result: ShardResult = { miniBatches: 0, completed: 0, failed: 0, tooManyFailures: false };
  const onRecord = async (record: LineRecord): Promise<void> => {
    if (record.status === "Completed") result.completed++;
    else result.failed++;
    if (spec.maxFailed !== undefined && result.failed > spec.maxFailed && !stop.signal.aborted) {
      result.tooManyFailures = true;
      stop.abort(new Error(`more than ${spec.maxFailed} lines failed`));
    }
    const batch = miniBatchOf(batching, record.line_number);
    const records = open.get(batch) ?? [];
    records.push(record);
    if (records.length < miniBatchSizeOf(batching, batch)) {
      open.set(batch, records);
      return;
    }
    open.delete(batch);
    const file = path.join(options.outDir, miniBatchFileName(batch));
    await writeFileAtomic(file, records.map((item) => `${JSON.stringify(item)}\n`).join(""));
    result.miniBatches++;
  };

  const workDir = await mkdtemp(path.join(os.tmpdir(), "llmops-shard-"));
  const python = createPythonPool({ size: Math.min(spec.concurrency, os.cpus().length), environment: options.environment });
  let executor: Awaited<ReturnType<typeof openFlow>> | undefined;
  try {
    executor = await openFlow(options.flowDir, {
      connections,
      llm: createLlmInvoker(),
      python,
      variant: variantText(spec.labels),
      environment: options.environment,
      ...(spec.init !== undefined ? { init: spec.init } : {}),
    });
    await runBulk({
      data: options.data,
      executor,
      runDir: workDir,
      runName: spec.run,
      labels: spec.labels,
      ...(Object.keys(spec.mappings).length > 0 ? { columnMapping: spec.mappings } : {}),
      inputNames: inputNames(executor.interface),
      concurrency: spec.concurrency,
      selectLines: mine,
      onRecord,
      aggregate: false,
      // Keys read from Key Vault never reach a recorded error.
      secrets: Object.keys(spec.secretVariables).map((variable) => options.environment[variable] ?? "").filter((value) => value !== ""),
      signal: stop.signal,
    });
  } finally {
    options.signal?.removeEventListener("abort", forward);
    await executor?.close();
    await python.close();
    await rm(workDir, { recursive: true, force: true });
  }
  return result;
}
