/**
 * records.jsonl is in completion order and, after resumes, may hold several records for a line. outputs.jsonl
 * holds each line once (its last record) in line order. An external merge sort keeps memory bounded whatever
 * the run's size: sorted, de-duplicated chunks of at most `chunkChars` characters go to temporary files, then a
 * k-way merge writes the result. A run that fits one chunk (most runs) never touches a temporary file.
 *
 * A reorder buffer during the run was the alternative; it is bounded only if a slow line may hold back every
 * line after it, and it cannot merge the records of an earlier, killed attempt. The sort handles both.
 */
import { rm } from "node:fs/promises";
import { writeFileAtomic } from "../../core/files";
import { nonBlankLines } from "./jsonlLines";
import { openJsonlWriter, parseRecord } from "./recordsFile";
import type { LineRecord } from "./types";

interface Entry {
  line: number;
  text: string;
}

/** Sorted by line; for equal lines only the last in file order survives (the sort is stable). */
function sortAndDedupe(entries: Entry[]): Entry[] {
  entries.sort((a, b) => a.line - b.line);
  const kept: Entry[] = [];
  for (const entry of entries) {
    if (kept.length > 0 && kept[kept.length - 1].line === entry.line) kept[kept.length - 1] = entry;
    else kept.push(entry);
  }
  return kept;
}

async function writeRaw(path: string, entries: Entry[]): Promise<void> {
  const writer = openJsonlWriter(path, false);
  for (const entry of entries) await writer.writeText(entry.text);
  await writer.close();
}

export interface LineOrderOptions {
  /** Characters of record text held in memory before a chunk is spilled to disk. Default 16 M. */
  chunkChars?: number;
}

export const chunkInfix = ".chunk-";
/** Text handed to the file at once: one write per record would cost a system call per line. */
const writeBatchChars = 256 * 1024;

/**
 * Writes `outputPath` from `recordsPath` and calls `visit` with each kept record in line order (for summaries
 * and aggregation without reading the file again). The file appears only when complete (writeFileAtomic): a
 * merge killed half-way never leaves a partial file that looks done.
 */
export async function writeLineOrdered(
  recordsPath: string,
  outputPath: string,
  visit: (record: LineRecord) => void,
  options: LineOrderOptions = {},
): Promise<void> {
  const chunkChars = options.chunkChars ?? 16 * 1024 * 1024;
  const chunkPaths: string[] = [];
  let chunk: Entry[] = [];
  let chars = 0;
  try {
    for await (const line of nonBlankLines(recordsPath)) {
      const record = parseRecord(line.text);
      if (!record) continue;
      chunk.push({ line: record.line_number, text: line.text });
      chars += line.text.length;
      if (chars >= chunkChars) {
        const path = `${outputPath}${chunkInfix}${chunkPaths.length}`;
        chunkPaths.push(path);
        await writeRaw(path, sortAndDedupe(chunk));
        chunk = [];
        chars = 0;
      }
    }
    const last = sortAndDedupe(chunk);
    chunk = [];
    async function* ordered(): AsyncGenerator<string> {
      let batch: string[] = [];
      let batchChars = 0;
      const texts = chunkPaths.length === 0 ? arrayEntries(last) : mergeChunks(chunkPaths, last);
      for await (const entry of texts) {
        const record = parseRecord(entry.text);
        if (!record) continue;
        visit(record);
        batch.push(entry.text, "\n");
        batchChars += entry.text.length + 1;
        if (batchChars >= writeBatchChars) {
          yield batch.join("");
          batch = [];
          batchChars = 0;
        }
      }
      if (batch.length > 0) yield batch.join("");
    }
    await writeFileAtomic(outputPath, ordered());
  } finally {
    await Promise.all(chunkPaths.map((path) => rm(path, { force: true })));
  }
}

/** K-way merge; a later source (a later part of records.jsonl) wins ties, keeping "last attempt wins". */
async function* mergeChunks(chunkPaths: string[], inMemory: Entry[]): AsyncGenerator<Entry> {
  const sources: AsyncIterator<Entry>[] = chunkPaths.map((path) => entriesOf(path));
  sources.push(arrayEntries(inMemory));
  const heads: (Entry | undefined)[] = await Promise.all(sources.map(async (source) => (await source.next()).value as Entry | undefined));
  for (;;) {
    let min = Infinity;
    for (const head of heads) if (head && head.line < min) min = head.line;
    if (min === Infinity) return;
    let winner: Entry | undefined;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i];
      if (head && head.line === min) {
        winner = head;
        const next = await sources[i].next();
        heads[i] = next.done ? undefined : next.value;
      }
    }
    if (winner) yield winner;
  }
}

async function* entriesOf(path: string): AsyncGenerator<Entry> {
  for await (const line of nonBlankLines(path)) {
    const record = parseRecord(line.text);
    if (record) yield { line: record.line_number, text: line.text };
  }
}

async function* arrayEntries(entries: Entry[]): AsyncGenerator<Entry> {
  yield* entries;
}
