import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { parsePreloadUsage, parseTimeVerbose, runMeasured, type UsageMethod } from "./measuredProcess";

/** A Node child that touches `mb` megabytes, burns a little CPU, prints, and exits with `code`. */
function allocatingChild(mb: number, code: number): string[] {
  const script = `const b = Buffer.alloc(${mb} * 1024 * 1024, 1); let x = 0; for (let i = 0; i < 2e7; i++) x += i % 7; console.log("held", b.length, x > 0); process.exitCode = ${code};`;
  return ["-e", script];
}

describe("measured child processes", () => {
  it("reads peak RSS and CPU from GNU time's verbose report, the last report winning", () => {
    const report = (kb: number, user: string): string =>
      `\tCommand being timed: "node x"\n\tUser time (seconds): ${user}\n\tSystem time (seconds): 0.25\n\tMaximum resident set size (kbytes): ${kb}\n`;
    assert.deepEqual(parseTimeVerbose(`child output\n${report(1000, "0.5")}${report(204800, "1.50")}`), { peakRssKb: 204800, cpuSeconds: 1.75 });
    assert.equal(parseTimeVerbose("no report here"), undefined);
  });

  it("takes the largest process's peak and the summed CPU from the preload's lines", () => {
    assert.deepEqual(parsePreloadUsage("1000 500000\n\n3000 250000\ngarbage\n"), { peakRssKb: 3000, cpuSeconds: 0.75 });
    assert.equal(parsePreloadUsage(""), undefined);
  });

  const methods: UsageMethod[] = existsSync("/usr/bin/time") ? ["time-v", "preload"] : ["preload"];
  for (const method of methods) {
    it(`${method}: measures a child's peak memory and CPU, keeps its output and exit code`, async () => {
      const run = await runMeasured(process.execPath, allocatingChild(120, 3), { method, timeoutMs: 60_000 });
      assert.equal(run.method, method);
      assert.equal(run.status, 3);
      assert.match(run.stdout, /held 125829120 true/);
      assert.ok(run.peakRssMb !== undefined && run.peakRssMb >= 120, `peak ${run.peakRssMb} MB`);
      assert.ok(run.cpuSeconds !== undefined && run.cpuSeconds > 0, `cpu ${run.cpuSeconds}`);
      assert.ok(run.wallSeconds > 0);
      assert.equal(run.timedOut, false);
    });
  }

  it("kills a child that outlives its timeout", async () => {
    const run = await runMeasured(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { method: "preload", timeoutMs: 300 });
    assert.equal(run.timedOut, true);
    assert.equal(run.status, null);
  });
});
