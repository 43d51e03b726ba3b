import assert from "node:assert/strict";
import { formatTable, idealRowsPerSecond, median, summarizeTool, type ToolRun } from "./endpointReport";

function toolRun(overrides: Partial<ToolRun>): ToolRun {
  return { rows: 100, scored: 100, passed: 75, seconds: 1, wallSeconds: 2, latencyMs: { p50: 20, p95: 30 }, peakRssMb: 100, cpuSeconds: 1, endpointRequests: 100, endpointCpuSeconds: 0.02, ...overrides };
}

const settings = { rows: 100, concurrency: 10, latencyMs: 20 };

describe("endpoint benchmark report", () => {
  it("median takes the middle value, or the mean of the middle two", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });

  it("the ideal rate is concurrency / latency", () => {
    assert.equal(idealRowsPerSecond({ rows: 1, concurrency: 64, latencyMs: 20 }), 3200);
  });

  it("summarizes runs by their medians, so one slow run does not move the figures", () => {
    const summary = summarizeTool("ours", [toolRun({ seconds: 1, peakRssMb: 90 }), toolRun({ seconds: 9, peakRssMb: 300, cpuSeconds: 5 }), toolRun({ seconds: 2, peakRssMb: 110 })], settings);
    assert.equal(summary.seconds, 2);
    assert.equal(summary.rowsPerSecond, 50);
    assert.equal(summary.percentOfIdeal, 10); // 50 of 500 rows/s
    assert.equal(summary.peakRssMb, 110);
    assert.equal(summary.cpuMsPerRow, 10); // median 1 s over 100 rows
    assert.equal(summary.endpointCpuMsPerRow, 0.2);
    assert.equal(summary.passed, 75);
    assert.equal(summary.allRowsScored, true);
  });

  it("flags a tool that left a row unscored in any run", () => {
    assert.equal(summarizeTool("t", [toolRun({}), toolRun({ scored: 99 })], settings).allRowsScored, false);
    assert.equal(summarizeTool("t", [toolRun({ rows: 98, scored: 98 })], settings).allRowsScored, false);
    assert.equal(summarizeTool("t", [], settings).allRowsScored, false);
  });

  it("prints missing memory or CPU figures as n/a", () => {
    const summary = summarizeTool("t", [toolRun({ peakRssMb: undefined, cpuSeconds: undefined })], settings);
    assert.equal(summary.peakRssMb, undefined);
    assert.match(formatTable([summary]), /\| n\/a +\| n\/a +\|/);
  });

  it("formats an aligned markdown table with one row per tool", () => {
    const table = formatTable([summarizeTool("llmops", [toolRun({})], settings), summarizeTool("promptfoo", [toolRun({ seconds: 10 })], settings)]);
    const lines = table.split("\n");
    assert.equal(lines.length, 4);
    assert.match(lines[0], /^\| tool +\| rows \| concurrency \| runs \| seconds \| rows\/s \| % of ideal \|/);
    assert.ok(lines.every((line) => line.length === lines[0].length), "columns are aligned");
    assert.match(lines[2], /^\| llmops +\| 100 +\| 10 +\| 1 +\| 1\.00 +\| 100 +\| 20\.0 /);
    assert.match(lines[3], /^\| promptfoo +\| 100 +\| 10 +\| 1 +\| 10\.00 +\| 10 +\| 2\.0 /);
  });
});
