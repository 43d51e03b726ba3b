import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../../src/core/clock";
import { runBulk } from "../../../src/runs/bulk/runBulk";
import { formatDuration } from "../../../src/core/formatDuration";
import { formatProgressBar, formatProgressLine } from "../../../src/cli/progress/formatProgress";
import { createProgressReporter, type ProgressOutput } from "../../../src/cli/progress/progressReporter";

class Capture implements ProgressOutput {
  text = "";
  constructor(
    readonly isTTY: boolean,
    readonly columns = 120,
  ) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

describe("progress", () => {
  it("formats done/total, rate, ETA and failures", () => {
    const state = { label: "run-1", done: 100, failed: 3, total: 1000, skipped: 0, elapsedMs: 10_000 };
    assert.equal(formatProgressLine(state), "run-1: 100/1000 lines (10%), 10.0 lines/s, 3 failed, ETA 1m 30s");
    assert.equal(formatProgressBar(state, 200), "run-1 [##......................] 100/1000 lines (10%) 10.0/s ETA 1m 30s 3 failed");
    assert.equal(formatProgressLine({ ...state, total: undefined }), "run-1: 100 lines, 10.0 lines/s, 3 failed");
    assert.equal(formatProgressLine({ ...state, skipped: 500 }), "run-1: 600/1000 lines (60%), 10.0 lines/s, 3 failed, ETA 40 s, 500 already done");
    assert.ok(formatProgressBar(state, 30).length <= 30);
    assert.equal(formatDuration(3_726_000), "1h 02m");
  });

  it("in CI prints plain lines no more often than the interval", () => {
    const output = new Capture(true);
    const clock = new ManualClock();
    const reporter = createProgressReporter({ label: "r", output, env: { CI: "true" }, intervalMs: 10_000, clock });
    reporter.start(10, 0);
    for (let i = 0; i < 10; i++) {
      clock.advance(3_000);
      reporter.lineFinished(i === 4 ? "Failed" : "Completed");
    }
    reporter.finish();
    const lines = output.text.trim().split("\n");
    assert.ok(!output.text.includes("\r"), "no redraws in CI logs");
    assert.deepEqual(lines, [
      "r: 0/10 lines (0%), 0.0 lines/s, 0 failed",
      "r: 4/10 lines (40%), 0.3 lines/s, 0 failed, ETA 18 s",
      "r: 8/10 lines (80%), 0.3 lines/s, 1 failed, ETA 6 s",
      "r: 10/10 lines (100%), 0.3 lines/s, 1 failed, ETA 0 ms",
    ]);
  });

  it("on a terminal redraws one line in place and ends it with a newline", () => {
    const output = new Capture(true, 80);
    const clock = new ManualClock();
    const reporter = createProgressReporter({ label: "r", output, env: {}, clock });
    reporter.start(2, 0);
    clock.advance(500);
    reporter.lineFinished("Completed");
    reporter.finish();
    assert.equal(output.text.split("\n").length, 2);
    assert.equal(output.text.split("\r").length - 1, 3);
    assert.match(output.text, /\rr \[#{12}\.{12}\] 1\/2 lines \(50%\) 2\.0\/s ETA 1 s\x1b\[K\n$/);
  });

  it("a bulk run reports the dataset's total and every line", async () => {
    const dir = await mkdtemp(join(tmpdir(), "progress-"));
    try {
      const data = join(dir, "d.jsonl");
      await writeFile(data, '{"a":1}\n\n{"a":2}\n{"a":3}\n');
      const output = new Capture(false);
      await runBulk({
        data,
        runDir: join(dir, "run"),
        executor: { runLine: async () => ({ status: "Completed", outputs: {}, usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 } }) },
        progress: createProgressReporter({ label: "run", output, env: {} }),
      });
      const lines = output.text.trim().split("\n");
      assert.match(lines[0], /^run: 0\/3 lines \(0%\)/);
      assert.match(lines.at(-1) ?? "", /^run: 3\/3 lines \(100%\).*0 failed/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
