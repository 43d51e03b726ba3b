/**
 * One bulk run (a dataset x variant) as Azure ML command jobs, merged into the same run folder a local run writes.
 *
 * Why command jobs, one per instance, and not a pipeline with a `parallel` node: a parallel node runs Azure ML's
 * Python driver (an entry script with init()/run(mini_batch) from the azureml packages) inside the image, and can
 * only be a step of a pipeline, whose `jobs` map ARM does not type, so its body cannot be checked against the ARM
 * definitions. A CommandJob is fully typed by ARM, runs our own engine (`llmops run-shard`) in the serving image,
 * and fails alone when its node dies. The parallel node's features are kept: mini-batches (the unit of checkpoint,
 * written whole or not at all), per-instance concurrency, an error threshold (`--max-failed`) and retries (a new
 * attempt runs exactly the lines without a record).
 *
 * Flow: count the dataset's lines, upload dataset, flow folder and the attempt's spec (content-addressed), submit
 * one job per instance, then poll: job states give the busy instances, new mini-batch files under the attempt's
 * output folder are downloaded and appended to records.jsonl as they appear (progress and Ctrl-C keep them).
 * When every job ended, lines without a record (a dead node, a failed job) go into the next attempt. The run
 * ends with the same finish step as a local run (outputs.jsonl in line order, aggregation, summary.json).
 */
import { mkdir } from "node:fs/promises";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { performance } from "node:perf_hooks";
import type { BlobStore } from "../../azure/blob/datastoreBlobs";
import { commandJobBody, datastoreUri, isTerminalJobStatus, type JobCompute, type JobState } from "../../azure/ml/commandJobs";
import type { ConnectionSpec } from "../../llm/connections";
import { countNonBlankLines, finishBulkRun, runFiles } from "../bulk";
import { completedLines, openJsonlWriter, parseRecord } from "../bulk/recordsFile";
import { LineSet } from "../bulk/lineSet";
import type { BulkProgress, LineExecutor, RunSummary } from "../bulk/types";
import { miniBatchCount, miniBatchOfFileName, PendingLines } from "../shard/pendingLines";
import type { ShardSpec } from "../shard/shardSpec";
import type { FailureBudget } from "../failureBudget";
import type { JobConnections } from "./jobConnections";
import type { DatastoreUploads } from "./uploads";

/** What the orchestration needs from the jobs API (WorkspaceJobs, or the dry-run recorder). */
export interface JobsApi {
  readonly workspaceId: string;
  submit(name: string, body: Record<string, unknown>): Promise<JobState>;
  state(name: string): Promise<JobState>;
  cancel(name: string): Promise<void>;
}

export interface AzureMlSettings {
  instances: number;
  /** Lines in flight per instance. */
  concurrency: number;
  miniBatchSize: number;
  /** Cancel the jobs once more lines failed than this allows (`--max-failed`). */
  failureBudget?: FailureBudget;
  /** Attempts per run while instances die or jobs fail. */
  maxAttempts: number;
  pollIntervalMs: number;
  compute: JobCompute;
  environmentId: string;
  /** ARM ID of the stack's user-assigned job identity. */
  identityResourceId?: string;
  /** Vault the job reads connection keys from. */
  keyVaultUrl?: string;
  experimentName: string;
}

export interface AzureMlServices {
  jobs: JobsApi;
  blobs: BlobStore;
  uploads: DatastoreUploads;
  /** Name of the datastore the blobs belong to. */
  datastore: string;
  /** A fresh, unique part of job names (e.g. time + random). */
  jobGroup(): string;
  /** Submit only: nothing is polled or merged (`--dry-run`). */
  dryRun: boolean;
}

export interface AzureMlRun {
  runDir: string;
  runName: string;
  labels: Record<string, string>;
  /** Absolute dataset path. */
  data: string;
  mappings: Record<string, string>;
  flowDir: string;
  /** Flex flows: init arguments. */
  init?: Record<string, unknown>;
  connections: ConnectionSpec[];
  jobConnections: JobConnections;
  resume: boolean;
  signal: AbortSignal;
  progress?: BulkProgress;
  /** Runs the flow's aggregation over the merged lines. */
  executor: LineExecutor;
  note(message: string): void;
}

export type AzureMlOutcome = "completed" | "interrupted" | "tooManyFailures" | "incomplete" | "submitted";

interface SubmittedJob {
  name: string;
  instance: number;
  state: JobState;
}

/** The shell command of instance `instance`: our engine in the job's image, inputs and output as mounted paths. */
export function shardCommand(instance: number): string {
  return `llmops run-shard --flow \${{inputs.flow}} --data \${{inputs.data}} --spec \${{inputs.spec}} --instance ${instance} --out \${{outputs.records}}`;
}

function jobNamePart(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "run";
}

export async function runOnAzureMl(run: AzureMlRun, settings: AzureMlSettings, services: AzureMlServices): Promise<{ outcome: AzureMlOutcome; summary?: RunSummary }> {
  const startedAt = new Date();
  const started = performance.now();
  await mkdir(run.runDir, { recursive: true });
  const recordsPath = path.join(run.runDir, runFiles.records);
  const total = await countNonBlankLines(run.data);
  const budget = settings.failureBudget;
  const maxFailed = budget === undefined ? undefined : budget.kind === "count" ? budget.max : Math.floor((total * budget.max) / 100);
  const done = run.resume ? await completedLines(recordsPath) : new LineSet();
  /** Lines with a record from this invocation's attempts (failed lines are final, as in a local run). */
  const recorded = new LineSet();
  const counts = { completed: 0, failed: 0 };
  const writer = services.dryRun ? undefined : openJsonlWriter(recordsPath, run.resume);
  run.progress?.start(total, done.size);

  const [dataPath, flowPath] = await Promise.all([services.uploads.dataset(run.data), services.uploads.flow(run.flowDir)]);
  let outcome: AzureMlOutcome = "completed";
  try {
    for (let attempt = 1; ; attempt++) {
      const pending = PendingLines.allExcept(total, { has: (line) => done.has(line) || recorded.has(line) });
      if (pending.count === 0) break;
      if (attempt > settings.maxAttempts) {
        outcome = "incomplete";
        run.note(`${run.runName}: ${pending.count} lines did not run after ${settings.maxAttempts} attempts; --resume runs them`);
        break;
      }
      const instances = Math.min(settings.instances, miniBatchCount({ pending, miniBatchSize: settings.miniBatchSize, instances: settings.instances }));
      const spec: ShardSpec = {
        version: 1,
        run: run.runName,
        labels: run.labels,
        mappings: run.mappings,
        connections: run.connections,
        secretVariables: run.jobConnections.secretVariables,
        pending: pending.ranges.map(([start, end]) => [start, end]),
        miniBatchSize: settings.miniBatchSize,
        instances,
        concurrency: settings.concurrency,
        ...(maxFailed !== undefined ? { maxFailed: Math.max(0, maxFailed - counts.failed) } : {}),
        ...(run.init !== undefined ? { init: run.init } : {}),
      };
      const specPath = await services.uploads.json("spec.json", `${JSON.stringify(spec, null, 2)}\n`);
      const group = `${jobNamePart(run.runName)}-${services.jobGroup()}`;
      const outputFolder = `llmops/runs/${group}/`;
      const jobs = await submitJobs(run, settings, services, { group, instances, dataPath, flowPath, specPath, outputFolder, attempt, pending: pending.count });
      if (services.dryRun) return { outcome: "submitted" };

      const attemptOutcome = await followAttempt(run, maxFailed, settings, services, jobs, outputFolder, async (text) => {
        const record = parseRecord(text);
        if (!record || done.has(record.line_number) || recorded.has(record.line_number)) return;
        await writer?.writeText(text);
        recorded.add(record.line_number);
        if (record.status === "Completed") counts.completed++;
        else counts.failed++;
        run.progress?.lineFinished(record.status);
      }, counts);
      if (attemptOutcome !== "completed") {
        outcome = attemptOutcome;
        break;
      }
      const failedJobs = jobs.filter((job) => job.state.status !== "Completed");
      for (const job of failedJobs) run.note(`${run.runName}: job ${job.name} ended ${job.state.status}${job.state.error ? `: ${job.state.error}` : ""}`);
    }
  } finally {
    await writer?.close();
    run.progress?.finish();
  }

  const summary = await finishBulkRun({
    runDir: run.runDir,
    runName: run.runName,
    labels: run.labels,
    data: run.data,
    aborted: outcome !== "completed",
    rowsSeen: total,
    startedAt,
    started,
    executor: run.executor,
  });
  return { outcome, summary };
}

interface AttemptInputs {
  group: string;
  instances: number;
  dataPath: string;
  flowPath: string;
  specPath: string;
  outputFolder: string;
  attempt: number;
  pending: number;
}

async function submitJobs(run: AzureMlRun, settings: AzureMlSettings, services: AzureMlServices, attempt: AttemptInputs): Promise<SubmittedJob[]> {
  const jobs: SubmittedJob[] = [];
  const environmentVariables: Record<string, string> = { ...run.jobConnections.environmentVariables };
  if (settings.keyVaultUrl !== undefined && Object.keys(run.jobConnections.secretVariables).length > 0) environmentVariables.LLMOPS_KEY_VAULT_URL = settings.keyVaultUrl;
  try {
    for (let instance = 0; instance < attempt.instances; instance++) {
      const name = `llmops-${attempt.group}-${instance}`;
      const body = commandJobBody(services.jobs.workspaceId, {
        displayName: `${run.runName} ${instance + 1}/${attempt.instances} (attempt ${attempt.attempt})`,
        experimentName: settings.experimentName,
        description: `llmops run ${run.runName}: instance ${instance + 1} of ${attempt.instances}, ${attempt.pending} lines in mini-batches of ${settings.miniBatchSize}`,
        tags: { "llmops-run": run.runName, "llmops-attempt": String(attempt.attempt), "llmops-instance": `${instance}/${attempt.instances}` },
        command: shardCommand(instance),
        environmentId: settings.environmentId,
        environmentVariables,
        inputs: {
          flow: { type: "uri_folder", uri: datastoreUri(services.datastore, attempt.flowPath), mode: "ReadOnlyMount" },
          data: { type: "uri_file", uri: datastoreUri(services.datastore, attempt.dataPath), mode: "ReadOnlyMount" },
          spec: { type: "uri_file", uri: datastoreUri(services.datastore, attempt.specPath), mode: "Download" },
        },
        outputs: { records: { uri: datastoreUri(services.datastore, `${attempt.outputFolder}instance-${instance}/`) } },
        compute: settings.compute,
        ...(settings.identityResourceId !== undefined ? { identityResourceId: settings.identityResourceId } : {}),
      });
      const state = await services.jobs.submit(name, body);
      jobs.push({ name, instance, state });
    }
  } catch (err) {
    await cancelJobs(services, jobs);
    throw err;
  }
  return jobs;
}

async function cancelJobs(services: AzureMlServices, jobs: SubmittedJob[]): Promise<void> {
  await Promise.all(
    jobs
      .filter((job) => !isTerminalJobStatus(job.state.status))
      .map(async (job) => {
        await services.jobs.cancel(job.name);
        job.state = { status: "CancelRequested" };
      }),
  );
}

/** Polls the attempt's jobs until they all ended (or the caller stops, or too many lines failed). */
async function followAttempt(
  run: AzureMlRun,
  maxFailed: number | undefined,
  settings: AzureMlSettings,
  services: AzureMlServices,
  jobs: SubmittedJob[],
  outputFolder: string,
  merge: (recordText: string) => Promise<void>,
  counts: { failed: number },
): Promise<"completed" | "interrupted" | "tooManyFailures"> {
  const downloaded = new Set<string>();
  const collect = async (): Promise<void> => {
    const names = (await services.blobs.list(outputFolder))
      .filter((name) => !downloaded.has(name) && miniBatchOfFileName(path.posix.basename(name)) !== undefined)
      .sort();
    for (const name of names) {
      const text = await services.blobs.downloadText(name);
      for (const line of text.split("\n")) if (line.trim() !== "") await merge(line);
      downloaded.add(name);
    }
  };
  const tooMany = (): boolean => maxFailed !== undefined && counts.failed > maxFailed;
  for (;;) {
    if (run.signal.aborted) {
      await cancelJobs(services, jobs);
      run.note(`${run.runName}: cancelled ${jobs.length} job(s); finished mini-batches are kept, --resume completes the run`);
      await collect();
      return "interrupted";
    }
    for (const job of jobs) if (!isTerminalJobStatus(job.state.status)) job.state = await services.jobs.state(job.name);
    const allEnded = jobs.every((job) => isTerminalJobStatus(job.state.status));
    await collect();
    run.progress?.instances?.(jobs.filter((job) => job.state.status === "Running").length, jobs.length);
    if (tooMany()) {
      await cancelJobs(services, jobs);
      run.note(`${run.runName}: more than ${maxFailed} lines failed (--max-failed); cancelled the jobs`);
      return "tooManyFailures";
    }
    if (allEnded) return "completed";
    await sleep(settings.pollIntervalMs, undefined, { signal: run.signal }).catch(() => undefined);
  }
}
