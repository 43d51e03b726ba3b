/**
 * The bulk runner: streams a JSONL dataset through a LineExecutor with bounded concurrency, appends each line's
 * record as it finishes, resumes killed runs, and ends with line-ordered outputs, aggregation metrics and a
 * summary. Nothing here knows what a line does: flows, deployed endpoints and evaluators all run through it.
 *
 * Default concurrency 16: a line is almost always waiting on a model or an endpoint, so in-flight lines cost a
 * few promises, not CPU. Prompt flow's default (4 worker processes, one line each) caps an I/O-bound run at
 * 4 / latency; 16 gives four times that while staying polite to a default-sized deployment, and the rate
 * limiter, not the concurrency, is what enforces the quota when one is configured.
 */
import { setMaxListeners } from "node:events";
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { writeFileAtomic } from "../../core/files";
import { UserError } from "../../core/userError";
import { openBaseRun, type BaseRunCursor } from "./baseRun";
import { applyColumnMapping, parseColumnMapping, type ColumnMapping } from "./columnMapping";
import { forEachConcurrent } from "./concurrentPool";
import { countNonBlankLines, nonBlankLines } from "./jsonlLines";
import { redactSecrets } from "../../core/redaction";
import { chunkInfix, writeLineOrdered } from "./lineOrder";
import { LineSet } from "./lineSet";
import { completedLines, openJsonlWriter } from "./recordsFile";
import { SummaryAccumulator } from "./summary";
import type { BulkProgress, LineError, LineExecutor, LineOutcome, LineRecord, RunSummary } from "./types";

export const defaultConcurrency = 16;

export interface RunBulkOptions {
  /** JSONL dataset, one JSON object per line; blank lines are skipped. */
  data: string;
  executor: LineExecutor;
  /** Created if missing; holds records.jsonl, outputs.jsonl and summary.json. */
  runDir: string;
  /** Default: the run directory's name. */
  runName?: string;
  /** e.g. the variant choices `{ summarize: "variant_1" }`; copied to summary.json. */
  labels?: Record<string, string>;
  /** `{input: "${data.col}" | "${run.outputs.x}" | "${run.inputs.x}" | literal}`; none: inputs = the row. */
  columnMapping?: Record<string, unknown>;
  /** The target's declared inputs: unmapped ones take same-named columns when a mapping is given. */
  inputNames?: string[];
  /** Run directory of the base run that `${run.*}` references read, joined by line number. */
  baseRunDir?: string;
  /** Lines in flight at once. Default 16. */
  concurrency?: number;
  /** Keep records.jsonl, skip lines whose last record is Completed, re-run the rest. */
  resume?: boolean;
  /** Stops reading new lines and aborts in-flight ones; records are flushed and the summary says "Aborted". */
  signal?: AbortSignal;
  progress?: BulkProgress;
  /** Memory budget of the final sort, in characters (see lineOrder.ts). */
  sortChunkChars?: number;
  /** Secret values the line executor holds (API keys, endpoint keys): never written into a recorded error. */
  secrets?: readonly string[];
  /** Only lines for which this is true run (a shard of an Azure ML job runs its mini-batches only). */
  selectLines?: (lineNumber: number) => boolean;
  /** Called with each record once it is in records.jsonl (a shard checkpoints mini-batches from it). */
  onRecord?: (record: LineRecord) => Promise<void>;
  /** Run the executor's aggregation at the end. Default true; a shard sees part of the lines, so it does not. */
  aggregate?: boolean;
}

export const runFiles = { records: "records.jsonl", outputs: "outputs.jsonl", summary: "summary.json" } as const;

type WorkItem =
  | { lineNumber: number; kind: "inputs"; inputs: Record<string, unknown> }
  | { lineNumber: number; kind: "invalid"; inputs: Record<string, unknown>; error: LineError };

function errorOf(err: unknown): LineError {
  if (err instanceof Error) return { type: err.name && err.name !== "Error" ? err.name : "ExecutorError", message: err.message };
  return { type: "ExecutorError", message: String(err) };
}

function recordOf(lineNumber: number, inputs: Record<string, unknown>, outcome: LineOutcome, durationMs: number, secrets: readonly string[]): LineRecord {
  const record: LineRecord = {
    line_number: lineNumber,
    status: outcome.status,
    inputs,
    outputs: outcome.outputs ?? {},
    duration_ms: Math.round(durationMs * 1000) / 1000,
    usage: {
      prompt_tokens: outcome.usage?.promptTokens ?? 0,
      completion_tokens: outcome.usage?.completionTokens ?? 0,
      total_tokens: outcome.usage?.totalTokens ?? 0,
    },
  };
  if (outcome.error) record.error = { ...outcome.error, message: redactSecrets(outcome.error.message, secrets) };
  if (outcome.aggregationInputs) record.aggregation_inputs = outcome.aggregationInputs;
  if (outcome.printed && Object.keys(outcome.printed).length > 0) record.printed = outcome.printed;
  return record;
}

const noUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };

/**
 * What a previous attempt concluded goes before this one starts: a run killed later (even during the final
 * merge) then has no summary and no outputs.jsonl, never stale ones that look done; --resume redoes the merge.
 */
async function removeResults(runDir: string): Promise<void> {
  const names = await readdir(runDir);
  const stale = names.filter(
    (name) =>
      name === runFiles.summary ||
      name === runFiles.outputs ||
      name.startsWith(`${runFiles.outputs}${chunkInfix}`) ||
      // writeFileAtomic's temporary files of a killed merge.
      (name.startsWith(`.${runFiles.outputs}.`) && name.endsWith(".tmp")),
  );
  await Promise.all(stale.map((name) => rm(join(runDir, name), { force: true })));
}

async function requireFile(path: string, what: string): Promise<void> {
  const isFile = await stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!isFile) throw new UserError(`${what} not found: ${path}`);
}

/**
 * Dataset rows in line order as work items: parsed, mapped, joined with the base run, and with lines a resume
 * skips left out. Sequential by construction, which the base-run cursor needs.
 */
async function* workItems(
  data: string,
  mapping: ColumnMapping,
  base: BaseRunCursor | undefined,
  skip: { has(lineNumber: number): boolean },
  seen: { rows: number },
): AsyncGenerator<WorkItem> {
  let lineNumber = 0;
  let checkedMapping = false;
  for await (const line of nonBlankLines(data)) {
    const current = lineNumber++;
    seen.rows = lineNumber;
    let row: unknown;
    try {
      row = JSON.parse(line.text);
    } catch (err) {
      if (skip.has(current)) continue;
      const reason = err instanceof Error ? err.message : String(err);
      yield { lineNumber: current, kind: "invalid", inputs: {}, error: { type: "InputError", message: `${data}:${line.fileLine} is not valid JSON: ${reason}` } };
      continue;
    }
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      if (skip.has(current)) continue;
      yield { lineNumber: current, kind: "invalid", inputs: {}, error: { type: "InputError", message: `${data}:${line.fileLine} is not a JSON object` } };
      continue;
    }
    const record = row as Record<string, unknown>;
    const mapped = applyColumnMapping(mapping, record, base && mapping.usesBaseRun ? await base.recordFor(current) : undefined);
    if (!checkedMapping) {
      // A mapping naming a column the data lacks would fail every line: stop before running any.
      checkedMapping = true;
      if (!mapped.ok && mapped.from === "data") throw new UserError(`${data}: ${mapped.message}`);
    }
    if (skip.has(current)) continue;
    if (mapped.ok) yield { lineNumber: current, kind: "inputs", inputs: mapped.inputs };
    else yield { lineNumber: current, kind: "invalid", inputs: record, error: { type: "InputError", message: mapped.message } };
  }
}

export async function runBulk(options: RunBulkOptions): Promise<RunSummary> {
  const startedAt = new Date();
  const started = performance.now();
  const concurrency = options.concurrency ?? defaultConcurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UserError(`concurrency must be a whole number >= 1, got ${concurrency}`);
  const mapping = parseColumnMapping(options.columnMapping, options.inputNames);
  if (mapping.usesBaseRun && !options.baseRunDir) {
    const entry = mapping.entries.find((e) => e.source.kind !== "data" && e.source.kind !== "literal");
    throw new UserError(`column mapping '${entry?.input}' = '${entry?.reference}' reads a base run, but no base run was given`);
  }
  await requireFile(options.data, "dataset");
  const runDir = resolve(options.runDir);
  await mkdir(runDir, { recursive: true });
  const recordsPath = join(runDir, runFiles.records);
  await removeResults(runDir);

  const done = options.resume ? await completedLines(recordsPath) : new LineSet();
  const base = options.baseRunDir ? await openBaseRun(options.baseRunDir) : undefined;
  const writer = openJsonlWriter(recordsPath, options.resume === true);
  const lineAbort = new AbortController();
  // Every in-flight line (and each HTTP attempt inside it) listens to this one signal.
  setMaxListeners(0, lineAbort.signal);
  const forwardAbort = (): void => lineAbort.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", forwardAbort, { once: true });
  const seen = { rows: 0 };

  try {
    options.progress?.start(options.progress ? await countNonBlankLines(options.data) : undefined, done.size);
    await forEachConcurrent(
      workItems(options.data, mapping, base, skipSet(done, options.selectLines), seen),
      concurrency,
      async (item) => {
        const lineStarted = performance.now();
        let outcome: LineOutcome;
        if (item.kind === "invalid") {
          outcome = { status: "Failed", outputs: {}, error: item.error, usage: noUsage };
        } else {
          try {
            outcome = await options.executor.runLine(item.inputs, { lineNumber: item.lineNumber, signal: lineAbort.signal });
          } catch (err) {
            outcome = { status: "Failed", outputs: {}, error: errorOf(err), usage: noUsage };
          }
        }
        // A line that failed because the run was stopped has no record: a resume runs it again.
        if (lineAbort.signal.aborted && outcome.status === "Failed") return;
        const record = recordOf(item.lineNumber, item.inputs, outcome, performance.now() - lineStarted, options.secrets ?? []);
        await writer.write(record);
        await options.onRecord?.(record);
        options.progress?.lineFinished(outcome.status);
      },
      options.signal,
    );
  } finally {
    options.signal?.removeEventListener("abort", forwardAbort);
    await writer.close();
    await base?.close();
    options.progress?.finish();
  }

  return finishBulkRun({
    runDir,
    runName: options.runName ?? basename(runDir),
    labels: options.labels ?? {},
    data: options.data,
    aborted: options.signal?.aborted === true,
    rowsSeen: seen.rows,
    startedAt,
    started,
    ...(options.aggregate !== false ? { executor: options.executor } : {}),
    ...(options.sortChunkChars !== undefined ? { sortChunkChars: options.sortChunkChars } : {}),
    ...(options.secrets !== undefined ? { secrets: options.secrets } : {}),
  });
}

function skipSet(done: LineSet, select: ((lineNumber: number) => boolean) | undefined): { has(lineNumber: number): boolean } {
  return select ? { has: (lineNumber) => done.has(lineNumber) || !select(lineNumber) } : done;
}

export interface FinishBulkRunOptions {
  runDir: string;
  runName: string;
  labels: Record<string, string>;
  data: string;
  aborted: boolean;
  /** Dataset rows seen (all of them unless aborted). */
  rowsSeen: number;
  startedAt: Date;
  /** performance.now() at the start. */
  started: number;
  /** Aggregates the completed lines when given and not aborted. */
  executor?: LineExecutor;
  /** Secret values never written into the summary's aggregation error. */
  secrets?: readonly string[];
  sortChunkChars?: number;
}

/**
 * The end of every bulk run, local or merged from an Azure ML job: outputs.jsonl in line order from records.jsonl
 * (last record of a line wins), the aggregation over completed lines, and summary.json.
 */
export async function finishBulkRun(options: FinishBulkRunOptions): Promise<RunSummary> {
  const { runDir, aborted } = options;
  const recordsPath = join(runDir, runFiles.records);
  const totals = new SummaryAccumulator();
  const aggregationLines: Parameters<NonNullable<LineExecutor["aggregate"]>>[0] = [];
  const aggregate = aborted || options.executor?.aggregates === false ? undefined : options.executor?.aggregate?.bind(options.executor);
  await writeLineOrdered(
    recordsPath,
    join(runDir, runFiles.outputs),
    (record) => {
      totals.add(record);
      if (aggregate && record.status === "Completed") {
        aggregationLines.push({ lineNumber: record.line_number, inputs: record.inputs, aggregationInputs: record.aggregation_inputs });
      }
    },
    { chunkChars: options.sortChunkChars },
  );

  let metrics: Record<string, number | string> = {};
  let aggregationError: string | undefined;
  if (aggregate && aggregationLines.length > 0) {
    try {
      const outcome = await aggregate(aggregationLines);
      metrics = outcome.metrics;
      aggregationError = outcome.error;
    } catch (err) {
      aggregationError = err instanceof Error ? err.message : String(err);
    }
  }

  const counts = totals.counts();
  const summary: RunSummary = {
    run: options.runName,
    labels: options.labels,
    data: options.data,
    status: aborted ? "Aborted" : "Completed",
    total: Math.max(options.rowsSeen, counts.completed + counts.failed),
    ...counts,
    not_run: aborted ? Math.max(0, options.rowsSeen - counts.completed - counts.failed) : 0,
    duration_ms: Math.round(performance.now() - options.started),
    metrics,
    started_at: options.startedAt.toISOString(),
    finished_at: new Date().toISOString(),
  };
  if (aggregationError !== undefined) summary.aggregation_error = redactSecrets(aggregationError, options.secrets ?? []);
  // Atomic: a crash never leaves a half-written summary.
  const summaryPath = join(runDir, runFiles.summary);
  await writeFileAtomic(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
