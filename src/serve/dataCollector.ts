/**
 * Inputs and outputs of each request, written in Azure ML's model data collector format (one CloudEvents-style
 * JSON line per request in `model_inputs` and `model_outputs`, joined on `correlationid` = the request id), under
 * the collector's folder layout `<collection>/<yyyy>/<MM>/<dd>/<HH>/<instance>.jsonl`. Collecting never delays a
 * response: records go to a bounded queue drained in the background; when the queue is full a record is dropped
 * and counted rather than held in memory.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";

export interface CollectedRequest {
  requestId: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  time: Date;
}

export interface DataCollector {
  /** Queues the request's two records and returns at once. */
  collect(record: CollectedRequest): void;
  /** Records dropped because the queue was full or a write failed. */
  dropped(): number;
  /** Writes what is queued. */
  close(): Promise<void>;
}

export interface FileDataCollectorOptions {
  dir: string;
  /** `source` of every record: the deployment's ARM ID when known, else the host's name. */
  source: string;
  /** Names this process's files, so several instances never write the same file. */
  instanceId?: string;
  /** Requests waiting to be written before new ones are dropped. Default 10 000. */
  maxQueued?: number;
  /** Told about a failed write (once per failure), never about values. */
  onWriteError?: (message: string) => void;
  agent?: string;
}

const collections = ["model_inputs", "model_outputs"] as const;

function hourFolder(time: Date): string {
  const pad = (n: number): string => String(n).padStart(2, "0");
  return [String(time.getUTCFullYear()), pad(time.getUTCMonth() + 1), pad(time.getUTCDate()), pad(time.getUTCHours())].join("/");
}

export function collectorLine(collection: (typeof collections)[number], record: CollectedRequest, source: string, agent: string): string {
  return JSON.stringify({
    specversion: "1.0",
    id: randomUUID(),
    source,
    type: collection === "model_inputs" ? "azureml.inference.inputs" : "azureml.inference.outputs",
    datacontenttype: "application/json",
    time: record.time.toISOString().replace(/\.\d{3}Z$/, "Z"),
    // One row, as a one-row table: what the collector's own SDK writes for a DataFrame.
    data: [collection === "model_inputs" ? record.inputs : record.outputs],
    correlationid: record.requestId,
    xrequestid: record.requestId,
    modelversion: "default",
    agent,
  });
}

export function createFileDataCollector(options: FileDataCollectorOptions): DataCollector {
  const instanceId = options.instanceId ?? randomUUID();
  const maxQueued = options.maxQueued ?? 10_000;
  const agent = options.agent ?? "llmops-serve";
  let queue: CollectedRequest[] = [];
  let droppedCount = 0;
  let draining: Promise<void> | undefined;

  const writeBatch = async (batch: CollectedRequest[]): Promise<void> => {
    const files = new Map<string, string[]>();
    for (const record of batch) {
      for (const collection of collections) {
        const file = path.join(options.dir, collection, hourFolder(record.time), `${instanceId}.jsonl`);
        const lines = files.get(file) ?? [];
        lines.push(collectorLine(collection, record, options.source, agent));
        files.set(file, lines);
      }
    }
    for (const [file, lines] of files) {
      try {
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.appendFile(file, `${lines.join("\n")}\n`);
      } catch (err) {
        droppedCount += lines.length / collections.length;
        options.onWriteError?.(`data collection: cannot write ${file}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };

  const drain = (): Promise<void> =>
    (draining ??= (async () => {
      try {
        while (queue.length > 0) {
          const batch = queue;
          queue = [];
          await writeBatch(batch);
        }
      } finally {
        draining = undefined;
      }
    })());

  return {
    collect(record) {
      if (queue.length >= maxQueued) {
        droppedCount += 1;
        return;
      }
      queue.push(record);
      // Writes start after the response is on its way.
      if (draining === undefined) setImmediate(() => void drain());
    },
    dropped: () => droppedCount,
    close: async () => {
      await draining;
      await drain();
    },
  };
}
