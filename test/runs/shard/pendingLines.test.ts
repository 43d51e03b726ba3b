import * as assert from "node:assert/strict";
import {
  instanceOfMiniBatch,
  miniBatchCount,
  miniBatchFileName,
  miniBatchOf,
  miniBatchOfFileName,
  miniBatchSizeOf,
  PendingLines,
  type MiniBatching,
} from "../../../src/runs/shard/pendingLines";

describe("pending lines and mini-batches of a job attempt", () => {
  it("keeps the lines without a record as ranges, and finds each line's position among them", () => {
    const done = new Set([0, 1, 5, 6, 9]);
    const pending = PendingLines.allExcept(10, done);
    assert.deepEqual(pending.ranges, [[2, 5], [7, 9]]);
    assert.equal(pending.count, 5);
    assert.deepEqual([2, 3, 4, 7, 8].map((line) => pending.positionOf(line)), [0, 1, 2, 3, 4]);
    assert.deepEqual([0, 5, 6, 9, 10].map((line) => pending.positionOf(line)), [-1, -1, -1, -1, -1]);
  });

  it("cuts pending lines into mini-batches dealt round-robin, every pending line in exactly one batch of one instance", () => {
    const batching: MiniBatching = { pending: PendingLines.allExcept(103, new Set([10, 11, 50])), miniBatchSize: 10, instances: 3 };
    assert.equal(miniBatchCount(batching), 10);
    assert.equal(miniBatchSizeOf(batching, 9), 100 - 90);
    const perInstance = new Map<number, number>();
    const perBatch = new Map<number, number>();
    for (let line = 0; line < 103; line++) {
      const batch = miniBatchOf(batching, line);
      if ([10, 11, 50].includes(line)) {
        assert.equal(batch, -1);
        continue;
      }
      perBatch.set(batch, (perBatch.get(batch) ?? 0) + 1);
      const instance = instanceOfMiniBatch(batching, batch);
      perInstance.set(instance, (perInstance.get(instance) ?? 0) + 1);
    }
    for (const [batch, lines] of perBatch) assert.equal(lines, miniBatchSizeOf(batching, batch));
    assert.deepEqual([...perInstance.entries()].sort(), [[0, 40], [1, 30], [2, 30]]);
  });

  it("names mini-batch files so that their number is read back, and refuses ranges that overlap", () => {
    assert.equal(miniBatchFileName(42), "batch-000042.jsonl");
    assert.equal(miniBatchOfFileName("batch-000042.jsonl"), 42);
    assert.equal(miniBatchOfFileName("batch-000042.jsonl.tmp"), undefined);
    assert.throws(() => new PendingLines([[0, 5], [4, 8]]), /sorted, disjoint/);
  });
});
