import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createWriteStream, existsSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeLineOrdered } from "../../../src/runs/bulk/lineOrder";
import { runBulk } from "../../../src/runs/bulk/runBulk";
import type { LineContext, LineExecutor, LineOutcome, LineRecord, RunSummary } from "../../../src/runs/bulk/types";
import { UserError } from "../../../src/core/userError";

const usage = (n: number) => ({ promptTokens: n, completionTokens: 1, totalTokens: n + 1 });

function readJsonl<T>(text: string): T[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

/** Upper-cases `text`; fails lines whose text is "fail"; throws for "throw". Records what it saw. */
class UpperExecutor implements LineExecutor {
  readonly seen: number[] = [];
  inFlight = 0;
  maxInFlight = 0;
  aggregated?: { lineNumber: number; inputs: Record<string, unknown>; aggregationInputs?: Record<string, unknown> }[];
  constructor(private readonly options: { delay?: (line: number) => number; onLine?: (context: LineContext) => void } = {}) {}

  async runLine(inputs: Record<string, unknown>, context: LineContext): Promise<LineOutcome> {
    this.seen.push(context.lineNumber);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const delay = this.options.delay?.(context.lineNumber) ?? 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      else await new Promise((resolve) => setImmediate(resolve));
      this.options.onLine?.(context);
      if (context.signal.aborted) return { status: "Failed", outputs: {}, error: { type: "Canceled", message: "aborted" }, usage: usage(0) };
      const text = String(inputs.text);
      if (text === "throw") throw new TypeError("executor bug");
      if (text === "fail") return { status: "Failed", outputs: {}, error: { type: "NodeError", message: "node exploded", node: "classify" }, usage: usage(2) };
      return { status: "Completed", outputs: { upper: text.toUpperCase() }, usage: usage(text.length), aggregationInputs: { length: text.length } };
    } finally {
      this.inFlight--;
    }
  }

  async aggregate(lines: { lineNumber: number; inputs: Record<string, unknown>; aggregationInputs?: Record<string, unknown> }[]) {
    this.aggregated = lines;
    const total = lines.reduce((sum, line) => sum + Number(line.aggregationInputs?.length ?? 0), 0);
    return { metrics: { lines: lines.length, mean_length: total / lines.length } };
  }
}

describe("runBulk", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "bulk-test-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function dataset(lines: string[]): Promise<string> {
    const path = join(dir, "data.jsonl");
    await writeFile(path, lines.join("\n"));
    return path;
  }

  const outputsOf = async (runDir: string) => readJsonl<LineRecord>(await readFile(join(runDir, "outputs.jsonl"), "utf8"));

  it("runs every line, records failures without stopping, and writes line-ordered outputs and a summary", async () => {
    const data = await dataset([
      JSON.stringify({ text: "alpha" }),
      "",
      JSON.stringify({ text: "fail" }),
      "   ",
      "{not json",
      JSON.stringify({ text: "throw" }),
      JSON.stringify([1, 2]),
      JSON.stringify({ text: "omega" }),
    ]);
    const executor = new UpperExecutor({ delay: (line) => (line === 0 ? 30 : 0) });
    const runDir = join(dir, "run");
    const summary = await runBulk({ data, executor, runDir, concurrency: 4, labels: { classify: "variant_1" } });

    const outputs = await outputsOf(runDir);
    assert.deepEqual(outputs.map((r) => r.line_number), [0, 1, 2, 3, 4, 5], "blank lines skipped, line numbers contiguous, in order");
    assert.deepEqual(outputs.map((r) => r.status), ["Completed", "Failed", "Failed", "Failed", "Failed", "Completed"]);
    assert.deepEqual(outputs[0].outputs, { upper: "ALPHA" });
    assert.deepEqual(outputs[1].error, { type: "NodeError", message: "node exploded", node: "classify" });
    assert.equal(outputs[2].error?.type, "InputError");
    assert.match(outputs[2].error?.message ?? "", /data\.jsonl:5 is not valid JSON/);
    assert.deepEqual(outputs[3].error, { type: "TypeError", message: "executor bug" });
    assert.match(outputs[4].error?.message ?? "", /data\.jsonl:7 is not a JSON object/);
    assert.deepEqual(outputs[5].usage, { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 });
    assert.deepEqual(outputs[0].aggregation_inputs, { length: 5 });

    const records = readJsonl<LineRecord>(await readFile(join(runDir, "records.jsonl"), "utf8"));
    assert.equal(records.length, 6);
    assert.notEqual(records[0].line_number, 0, "records.jsonl is in completion order: the slow line 0 finished later");

    assert.equal(summary.run, "run");
    assert.equal(summary.status, "Completed");
    assert.deepEqual(summary.labels, { classify: "variant_1" });
    assert.equal(summary.total, 6);
    assert.equal(summary.completed, 2);
    assert.equal(summary.failed, 4);
    assert.deepEqual(summary.usage, { prompt: 5 + 2 + 5, completion: 3, total: 15 });
    assert.deepEqual(summary.metrics, { lines: 2, mean_length: 5 });
    assert.ok(summary.latency_ms.p99 >= summary.latency_ms.p50 && summary.latency_ms.p50 > 0);
    const onDisk = JSON.parse(await readFile(join(runDir, "summary.json"), "utf8")) as RunSummary;
    assert.deepEqual(onDisk, summary);
    assert.deepEqual(executor.aggregated?.map((line) => line.lineNumber), [0, 5], "aggregation sees completed lines only, in order");
  });

  it("streams a large file with at most `concurrency` lines in flight", async () => {
    const data = join(dir, "big.jsonl");
    const stream = createWriteStream(data);
    for (let i = 0; i < 20_000; i++) if (!stream.write(`${JSON.stringify({ text: `row ${i}` })}\n`)) await once(stream, "drain");
    stream.end();
    await once(stream, "close");
    const executor = new UpperExecutor({ delay: (line) => (line % 997 === 0 ? 2 : 0) });
    const summary = await runBulk({ data, executor, runDir: join(dir, "run"), concurrency: 8, sortChunkChars: 200_000 });
    assert.equal(summary.completed, 20_000);
    assert.ok(executor.maxInFlight <= 8, `max in flight ${executor.maxInFlight}`);
    assert.equal(executor.maxInFlight, 8, "the window is used");
    const outputs = await outputsOf(join(dir, "run"));
    assert.equal(outputs.length, 20_000);
    assert.ok(outputs.every((record, index) => record.line_number === index));
  });

  it("maps columns, literals and nested columns; a column missing from the first row stops the run", async () => {
    const data = await dataset([JSON.stringify({ q: "hello", meta: { lang: "en" } }), JSON.stringify({ other: 1 })]);
    const seen: Record<string, unknown>[] = [];
    const executor: LineExecutor = {
      runLine: async (inputs) => {
        seen.push(inputs);
        return { status: "Completed", outputs: {}, usage: usage(0) };
      },
    };
    const summary = await runBulk({
      data,
      executor,
      runDir: join(dir, "run"),
      columnMapping: { text: "${data.q}", lang: "${data.meta.lang}", mode: "strict", k: 3 },
    });
    assert.deepEqual(seen, [{ text: "hello", lang: "en", mode: "strict", k: 3 }]);
    assert.equal(summary.failed, 1);
    const outputs = await outputsOf(join(dir, "run"));
    assert.match(outputs[1].error?.message ?? "", /column mapping 'text' = '\$\{data\.q\}': the data has no column 'q' \(columns: other\)/);

    await assert.rejects(
      runBulk({ data, executor, runDir: join(dir, "run2"), columnMapping: { text: "${data.question}" } }),
      (err: unknown) => err instanceof UserError && /column mapping 'text' = '\$\{data\.question\}': the data has no column 'question'/.test(err.message),
    );
    await assert.rejects(runBulk({ data, executor, runDir: join(dir, "run3"), columnMapping: { text: "${inputs.q}" } }), /not a reference this runner knows/);
    await assert.rejects(runBulk({ data, executor, runDir: join(dir, "run4"), columnMapping: { text: "${run.outputs.x}" } }), /no base run was given/);
    await assert.rejects(runBulk({ data: join(dir, "missing.jsonl"), executor, runDir: join(dir, "run5") }), /dataset not found/);
  });

  it("with a mapping and declared input names, unmapped inputs take same-named columns", async () => {
    const data = await dataset([JSON.stringify({ text: "a", tier: "gold", extra: 1 })]);
    let seen: Record<string, unknown> = {};
    const executor: LineExecutor = {
      runLine: async (inputs) => {
        seen = inputs;
        return { status: "Completed", outputs: {}, usage: usage(0) };
      },
    };
    await runBulk({ data, executor, runDir: join(dir, "run"), columnMapping: { ticket: "${data.text}" }, inputNames: ["ticket", "tier", "absent"] });
    assert.deepEqual(seen, { tier: "gold", ticket: "a" });
  });

  it("joins a base run by line number for ${run.outputs.*} and ${run.inputs.*}", async () => {
    const data = await dataset(["alpha", "fail", "gamma"].map((text, i) => JSON.stringify({ text, expected: text.toUpperCase(), id: i })));
    const baseDir = join(dir, "base");
    await runBulk({ data, executor: new UpperExecutor({ delay: (line) => (line === 0 ? 20 : 0) }), runDir: baseDir });
    const seen: Record<string, unknown>[] = [];
    const evaluator: LineExecutor = {
      runLine: async (inputs) => {
        seen.push(inputs);
        return { status: "Completed", outputs: { correct: inputs.prediction === inputs.expected }, usage: usage(0) };
      },
    };
    const evalDir = join(dir, "eval");
    const summary = await runBulk({
      data,
      executor: evaluator,
      runDir: evalDir,
      baseRunDir: baseDir,
      columnMapping: { prediction: "${run.outputs.upper}", original: "${run.inputs.text}", expected: "${data.expected}" },
    });
    assert.deepEqual(seen, [
      { prediction: "ALPHA", original: "alpha", expected: "ALPHA" },
      { prediction: "GAMMA", original: "gamma", expected: "GAMMA" },
    ]);
    assert.equal(summary.failed, 1);
    const outputs = await outputsOf(evalDir);
    assert.match(outputs[1].error?.message ?? "", /column mapping 'prediction' = '\$\{run\.outputs\.upper\}': the base run's line 1 failed/);

    const missing = await runBulk({ data, executor: evaluator, runDir: join(dir, "eval2"), baseRunDir: baseDir, columnMapping: { p: "${run.outputs.label}" } });
    assert.equal(missing.completed, 0);
    assert.match((await outputsOf(join(dir, "eval2")))[0].error?.message ?? "", /the base run has no output 'label' \(outputs: upper\)/);
    await assert.rejects(runBulk({ data, executor: evaluator, runDir: join(dir, "eval3"), baseRunDir: join(dir, "nope"), columnMapping: { p: "${run.outputs.upper}" } }), /no outputs\.jsonl/);
  });

  it("aborted mid-run then resumed: every line exactly once, completed lines never re-run", async () => {
    const data = await dataset(Array.from({ length: 200 }, (_, i) => JSON.stringify({ text: i === 50 ? "fail" : `t${i}` })));
    const controller = new AbortController();
    let finished = 0;
    const first = new UpperExecutor({
      onLine: () => {
        if (++finished === 60) controller.abort(new Error("Ctrl-C"));
      },
    });
    const runDir = join(dir, "run");
    const aborted = await runBulk({ data, executor: first, runDir, concurrency: 6, signal: controller.signal });
    assert.equal(aborted.status, "Aborted");
    assert.ok(aborted.completed >= 50 && aborted.completed < 200, `completed ${aborted.completed}`);
    assert.deepEqual(aborted.metrics, {}, "no aggregation over a partial run");
    assert.equal(aborted.not_run, aborted.total - aborted.completed - aborted.failed);

    const firstCompleted = new Set((await outputsOf(runDir)).filter((r) => r.status === "Completed").map((r) => r.line_number));
    const second = new UpperExecutor();
    const resumed = await runBulk({ data, executor: second, runDir, resume: true, concurrency: 6 });
    assert.equal(resumed.status, "Completed");
    assert.equal(resumed.total, 200);
    assert.equal(resumed.completed, 199);
    assert.equal(resumed.failed, 1);
    assert.ok(second.seen.every((line) => !firstCompleted.has(line)), "completed lines are not run again");
    assert.ok(second.seen.includes(50), "the failed line is re-run");
    const outputs = await outputsOf(runDir);
    assert.deepEqual(outputs.map((r) => r.line_number), Array.from({ length: 200 }, (_, i) => i));
    assert.deepEqual(resumed.metrics.lines, 199, "aggregation covers lines of both attempts");
  });

  it("resumes from a records file torn by a kill: the torn and failed lines re-run, the file stays valid", async () => {
    const data = await dataset(["a", "b", "c", "d"].map((text) => JSON.stringify({ text })));
    const runDir = join(dir, "run");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(runDir);
    const record = (line: number, status: "Completed" | "Failed", upper: string) =>
      JSON.stringify({ line_number: line, status, inputs: { text: upper.toLowerCase() }, outputs: status === "Completed" ? { upper } : {}, duration_ms: 1, usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
    await writeFile(join(runDir, "records.jsonl"), `${record(2, "Completed", "C-OLD")}\n${record(0, "Failed", "A")}\n${record(1, "Completed", "B")}\n{"line_number": 3, "status": "Compl`);
    const executor = new UpperExecutor();
    const summary = await runBulk({ data, executor, runDir, resume: true });
    assert.deepEqual([...executor.seen].sort(), [0, 3]);
    assert.equal(summary.completed, 4);
    const outputs = await outputsOf(runDir);
    assert.deepEqual(
      outputs.map((r) => [r.line_number, r.status, r.outputs.upper]),
      [
        [0, "Completed", "A"],
        [1, "Completed", "B"],
        [2, "Completed", "C-OLD"],
        [3, "Completed", "D"],
      ],
    );
    const records = (await readFile(join(runDir, "records.jsonl"), "utf8")).split("\n").filter(Boolean);
    assert.ok(records.every((line) => JSON.parse(line)), "the torn tail was cut, every record parses");
  });

  it("without resume, an existing records file is replaced", async () => {
    const data = await dataset([JSON.stringify({ text: "x" })]);
    const runDir = join(dir, "run");
    await runBulk({ data, executor: new UpperExecutor(), runDir });
    const again = await runBulk({ data, executor: new UpperExecutor(), runDir });
    assert.equal(again.completed, 1);
    assert.equal((await readFile(join(runDir, "records.jsonl"), "utf8")).trim().split("\n").length, 1);
  });

  it("reports an aggregation failure without failing lines", async () => {
    const data = await dataset([JSON.stringify({ text: "x" })]);
    const executor: LineExecutor = {
      runLine: async () => ({ status: "Completed", outputs: {}, usage: usage(0) }),
      aggregate: async () => {
        throw new Error("division by zero");
      },
    };
    const summary = await runBulk({ data, executor, runDir: join(dir, "run") });
    assert.equal(summary.completed, 1);
    assert.deepEqual(summary.metrics, {});
    assert.equal(summary.aggregation_error, "division by zero");
  });

  it("refuses a nonsensical concurrency", async () => {
    const data = await dataset([JSON.stringify({ text: "x" })]);
    await assert.rejects(runBulk({ data, executor: new UpperExecutor(), runDir: join(dir, "run"), concurrency: 0 }), UserError);
  });

  it("keeps nothing per line for aggregation when the executor says it does not aggregate", async () => {
    const data = await dataset([JSON.stringify({ text: "a" }), JSON.stringify({ text: "b" })]);
    let aggregated = false;
    const executor: LineExecutor = {
      runLine: async () => ({ status: "Completed", outputs: {}, usage: usage(0) }),
      aggregates: false,
      aggregate: async () => {
        aggregated = true;
        return { metrics: {} };
      },
    };
    const summary = await runBulk({ data, executor, runDir: join(dir, "run") });
    assert.equal(summary.completed, 2);
    assert.equal(aggregated, false, "no aggregation step, so no line was kept for one");
  });

  it("never leaves results that look done from a killed final merge: --resume redoes the merge", async () => {
    const data = await dataset(["a", "b", "c"].map((text) => JSON.stringify({ text })));
    const runDir = join(dir, "run");
    await runBulk({ data, executor: new UpperExecutor(), runDir });
    // What a kill -9 during the merge of a later attempt leaves: a partial outputs.jsonl, chunk and temporary
    // files, and the summary of the attempt before.
    await writeFile(join(runDir, "outputs.jsonl"), `${(await readFile(join(runDir, "outputs.jsonl"), "utf8")).split("\n")[0]}\n`);
    await writeFile(join(runDir, "outputs.jsonl.chunk-3"), "{}\n");
    await writeFile(join(runDir, ".outputs.jsonl.4242.abcdef.tmp"), "{}\n");
    let sawStaleResults: boolean | undefined;
    const probe = new UpperExecutor({
      onLine: () => {
        sawStaleResults ??= ["summary.json", "outputs.jsonl", "outputs.jsonl.chunk-3", ".outputs.jsonl.4242.abcdef.tmp"].some((name) => existsSync(join(runDir, name)));
      },
    });
    await writeFile(join(runDir, "records.jsonl"), (await readFile(join(runDir, "records.jsonl"), "utf8")).split("\n").slice(0, 2).join("\n"));
    const resumed = await runBulk({ data, executor: probe, runDir, resume: true });
    assert.equal(sawStaleResults, false, "the old summary and outputs were gone while the run was under way");
    assert.equal(resumed.completed, 3);
    assert.deepEqual((await outputsOf(runDir)).map((record) => record.line_number), [0, 1, 2]);
    assert.deepEqual((await readdir(runDir)).sort(), ["outputs.jsonl", "records.jsonl", "summary.json"]);
  });

  it("writes outputs.jsonl only once the merge is complete", async () => {
    const runDir = join(dir, "merge");
    await mkdir(runDir, { recursive: true });
    const records = [0, 1, 2, 3].map((line) => JSON.stringify({ line_number: line, status: "Completed", inputs: {}, outputs: {}, duration_ms: 1, usage: {} }));
    await writeFile(join(runDir, "records.jsonl"), records.join("\n"));
    let visited = 0;
    await assert.rejects(
      writeLineOrdered(join(runDir, "records.jsonl"), join(runDir, "outputs.jsonl"), () => {
        if (++visited === 3) throw new Error("killed");
      }, { chunkChars: 100 }),
      /killed/,
    );
    assert.equal(existsSync(join(runDir, "outputs.jsonl")), false);
  });
});
