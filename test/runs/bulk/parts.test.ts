import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { forEachConcurrent } from "../../../src/runs/bulk/concurrentPool";
import { countNonBlankLines, nonBlankLines } from "../../../src/runs/bulk/jsonlLines";
import { writeLineOrdered } from "../../../src/runs/bulk/lineOrder";
import { LineSet } from "../../../src/runs/bulk/lineSet";
import { percentile } from "../../../src/runs/bulk/summary";
import type { LineRecord } from "../../../src/runs/bulk/types";

describe("bulk building blocks", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "bulk-parts-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("forEachConcurrent never pulls more items than it has free slots (backpressure)", async () => {
    let pulled = 0;
    let finished = 0;
    let maxAhead = 0;
    async function* source(): AsyncGenerator<number> {
      for (let i = 0; i < 500; i++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - finished);
        yield i;
      }
    }
    await forEachConcurrent(source(), 5, async (i) => {
      await new Promise((resolve) => setTimeout(resolve, i % 7));
      finished++;
    });
    assert.equal(finished, 500);
    assert.ok(maxAhead <= 5, `read ${maxAhead} items ahead`);
  });

  it("forEachConcurrent stops pulling when aborted and rethrows a worker's error", async () => {
    const controller = new AbortController();
    const done: number[] = [];
    await forEachConcurrent(
      (async function* () {
        for (let i = 0; i < 100; i++) yield i;
      })(),
      2,
      async (i) => {
        done.push(i);
        if (i === 9) controller.abort();
      },
      controller.signal,
    );
    assert.ok(done.length >= 10 && done.length <= 11, `ran ${done.length}`);
    await assert.rejects(
      forEachConcurrent(
        (async function* () {
          yield* [1, 2, 3];
        })(),
        2,
        async (i) => {
          if (i === 2) throw new Error("boom");
        },
      ),
      /boom/,
    );
  });

  it("reads non-blank lines with file line numbers, CRLF and a last line without newline", async () => {
    const path = join(dir, "d.jsonl");
    await writeFile(path, "a\r\n\r\n  \nb\n\u00e9t\u00e9");
    const lines = [];
    for await (const line of nonBlankLines(path)) lines.push(line);
    assert.deepEqual(lines, [
      { fileLine: 1, text: "a" },
      { fileLine: 4, text: "b" },
      { fileLine: 5, text: "\u00e9t\u00e9" },
    ]);
    assert.equal(await countNonBlankLines(path), 3);
  });

  it("reads a line spanning many read chunks whole, multi-byte characters split across chunks included", async () => {
    const path = join(dir, "long.jsonl");
    // 3-byte characters make chunk boundaries (64 KiB) fall inside a character; ~1.5 MB spans ~24 chunks.
    const long = JSON.stringify({ text: "\u20ac".repeat(500_000) });
    await writeFile(path, `{"a":1}\n${long}\r\n\n${long}`);
    const lines = [];
    for await (const line of nonBlankLines(path)) lines.push(line);
    assert.deepEqual(
      lines.map((line) => [line.fileLine, line.text.length]),
      [[1, 7], [2, long.length], [4, long.length]],
    );
    assert.equal(lines[1].text, long);
    assert.equal(lines[2].text, long);
  });

  it("line order: external sort across spilled chunks keeps each line once, the last record winning", async () => {
    const records = join(dir, "records.jsonl");
    const lines: string[] = [];
    const record = (line: number, status: LineRecord["status"], attempt: number): LineRecord => ({
      line_number: line,
      status,
      inputs: {},
      outputs: { attempt },
      duration_ms: 1,
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    });
    // 300 lines in a scrambled order, failed first; then a resume re-runs every 3rd line later in the file.
    for (let i = 0; i < 300; i++) lines.push(JSON.stringify(record((i * 7) % 300, (i * 7) % 3 === 0 ? "Failed" : "Completed", 1)));
    for (let i = 299; i >= 0; i--) if (i % 3 === 0) lines.push(JSON.stringify(record(i, "Completed", 2)));
    lines.push('{"line_number": 5, "sta'); // torn
    await writeFile(records, `${lines.join("\n")}\n`);
    const output = join(dir, "outputs.jsonl");
    const visited: number[] = [];
    await writeLineOrdered(records, output, (r) => visited.push(r.line_number), { chunkChars: 2_000 });
    const written = (await readFile(output, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as LineRecord);
    assert.deepEqual(written.map((r) => r.line_number), Array.from({ length: 300 }, (_, i) => i));
    assert.deepEqual(visited, written.map((r) => r.line_number));
    assert.ok(written.every((r) => r.status === "Completed" && r.outputs.attempt === (r.line_number % 3 === 0 ? 2 : 1)));
    assert.deepEqual((await readdir(dir)).sort(), ["outputs.jsonl", "records.jsonl"], "no chunk files left behind");
  });

  it("LineSet tracks membership across growth", () => {
    const set = new LineSet();
    set.add(3);
    set.add(100_000);
    set.add(3);
    assert.equal(set.size, 2);
    assert.ok(set.has(100_000) && set.has(3) && !set.has(4));
    set.delete(3);
    assert.ok(!set.has(3));
    assert.equal(set.size, 1);
  });

  it("percentile interpolates between ranks like numpy, so summaries and reports agree", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(sorted, 50), 50.5);
    assert.equal(percentile(sorted, 95), 95.05);
    assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
    assert.equal(percentile([7], 99), 7);
    assert.equal(percentile([], 50), 0);
  });
});
