/**
 * records.jsonl: one JSON record per finished line, appended as lines finish. Append-only so a kill loses at
 * most the record being written; a resume cuts that torn tail off and re-runs what has no Completed record.
 */
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { nonBlankLines } from "./jsonlLines";
import { LineSet } from "./lineSet";
import type { LineRecord } from "./types";

export interface JsonlWriter {
  write(value: unknown): Promise<void>;
  /** One line of already-serialised JSON. */
  writeText(line: string): Promise<void>;
  close(): Promise<void>;
}

/** Writes JSON lines with the stream's backpressure honoured; `append` keeps existing content. */
export function openJsonlWriter(path: string, append: boolean): JsonlWriter {
  const stream: WriteStream = createWriteStream(path, { flags: append ? "a" : "w" });
  let failure: Error | undefined;
  // One shared wait for 'drain' however many lines are writing concurrently.
  let drained: { promise: Promise<void>; resolve: () => void } | undefined;
  const release = (): void => {
    drained?.resolve();
    drained = undefined;
  };
  stream.on("drain", release);
  stream.on("error", (err) => {
    failure = err;
    release();
  });
  // A function, so each check reads the variable anew (the stream's error handler sets it between awaits).
  const throwIfFailed = (): void => {
    if (failure) throw failure;
  };
  const writeText = async (line: string): Promise<void> => {
    throwIfFailed();
    if (!stream.write(`${line}\n`) && !drained) {
      let resolve = (): void => undefined;
      const promise = new Promise<void>((r) => (resolve = r));
      drained = { promise, resolve };
    }
    if (drained) await drained.promise;
    throwIfFailed();
  };
  return {
    write: (value) => writeText(JSON.stringify(value)),
    writeText,
    async close() {
      throwIfFailed();
      stream.end();
      await once(stream, "close");
      throwIfFailed();
    },
  };
}

function isLineRecord(value: unknown): value is LineRecord {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return Number.isInteger(record.line_number) && (record.status === "Completed" || record.status === "Failed");
}

/** Parses a records line; undefined for a torn or foreign line. */
export function parseRecord(text: string): LineRecord | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isLineRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export async function* readRecords(path: string): AsyncGenerator<LineRecord> {
  for await (const line of nonBlankLines(path)) {
    const record = parseRecord(line.text);
    if (record) yield record;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Cuts a partial last line (a record torn by a kill) so appended records start on a fresh line. */
export async function truncateTornTail(path: string): Promise<void> {
  const handle = await open(path, "r+");
  try {
    const { size } = await handle.stat();
    if (size === 0) return;
    const window = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - window.length);
      const { bytesRead } = await handle.read(window, 0, end - start, start);
      const newline = window.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (newline >= 0) {
        if (start + newline + 1 < size) await handle.truncate(start + newline + 1);
        return;
      }
      end = start;
    }
    await handle.truncate(0);
  } finally {
    await handle.close();
  }
}

/** Lines whose latest record is Completed: a resume skips them. */
export async function completedLines(path: string): Promise<LineSet> {
  const done = new LineSet();
  if (!(await exists(path))) return done;
  await truncateTornTail(path);
  for await (const record of readRecords(path)) {
    if (record.status === "Completed") done.add(record.line_number);
    else done.delete(record.line_number);
  }
  return done;
}
