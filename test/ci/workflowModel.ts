/**
 * The GitHub Actions workflows of this repository as typed data, for the structural tests. Only the keys the
 * tests read are modelled; anything else stays `unknown`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "yaml";

export const workflowsDir = path.resolve(__dirname, "../../.github/workflows");

export interface Step {
  index: number;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with: Record<string, unknown>;
  env: Record<string, unknown>;
  continueOnError: unknown;
}

export interface Job {
  id: string;
  /** The job's display name (may hold expressions such as `${{ matrix.useCase }}`). */
  name?: string;
  needs: string[];
  if?: string;
  /** A reusable workflow the job calls (`./.github/workflows/<file>`), instead of steps. */
  uses?: string;
  /** Inputs (`with`) and secrets of a reusable workflow call. */
  with: Record<string, unknown>;
  secrets: unknown;
  strategy: Record<string, unknown>;
  outputs: unknown;
  permissions: unknown;
  environment: unknown;
  concurrency: unknown;
  env: Record<string, unknown>;
  steps: Step[];
}

export interface Workflow {
  file: string;
  text: string;
  on: Record<string, unknown>;
  permissions: unknown;
  jobs: Record<string, Job>;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function parseStep(value: unknown, index: number): Step {
  const step = record(value);
  return {
    index,
    name: optionalString(step.name),
    uses: optionalString(step.uses),
    run: optionalString(step.run),
    if: optionalString(step.if),
    with: record(step.with),
    env: record(step.env),
    continueOnError: step["continue-on-error"],
  };
}

function parseJob(id: string, value: unknown): Job {
  const job = record(value);
  const needs = typeof job.needs === "string" ? [job.needs] : Array.isArray(job.needs) ? job.needs.map(String) : [];
  return {
    id,
    name: optionalString(job.name),
    needs,
    if: optionalString(job.if),
    uses: optionalString(job.uses),
    with: record(job.with),
    secrets: job.secrets,
    strategy: record(job.strategy),
    outputs: job.outputs,
    permissions: job.permissions,
    environment: job.environment,
    concurrency: job.concurrency,
    env: record(job.env),
    steps: Array.isArray(job.steps) ? job.steps.map(parseStep) : [],
  };
}

export function loadWorkflow(file: string): Workflow {
  const text = fs.readFileSync(path.join(workflowsDir, file), "utf8");
  const document = record(yaml.parse(text));
  // The yaml package follows YAML 1.2, so `on:` stays the string key "on" (YAML 1.1 would read it as true).
  const on = typeof document.on === "string" ? { [document.on]: null } : Array.isArray(document.on) ? Object.fromEntries(document.on.map((event) => [String(event), null])) : record(document.on);
  const jobs = Object.fromEntries(Object.entries(record(document.jobs)).map(([id, job]) => [id, parseJob(id, job)]));
  return { file, text, on, permissions: document.permissions, jobs };
}

export function workflowFiles(): string[] {
  return fs.readdirSync(workflowsDir).filter((name) => /\.ya?ml$/.test(name)).sort();
}

/** The workflow file a job calls (`./.github/workflows/use-case-deploy.yml` → `use-case-deploy.yml`), if any. */
export function calledWorkflow(job: Job): string | undefined {
  const match = /^\.\/\.github\/workflows\/([^/@]+\.ya?ml)$/.exec(job.uses ?? "");
  return match?.[1];
}

/** Every job the given job waits for, directly or through other jobs. */
export function transitiveNeeds(workflow: Workflow, jobId: string): Set<string> {
  const seen = new Set<string>();
  const pending = [...(workflow.jobs[jobId]?.needs ?? [])];
  while (pending.length > 0) {
    const next = pending.pop();
    if (next === undefined || seen.has(next)) continue;
    seen.add(next);
    pending.push(...(workflow.jobs[next]?.needs ?? []));
  }
  return seen;
}

/** The action a step uses without its version, e.g. "azure/login". */
export function actionName(step: Step): string | undefined {
  return step.uses?.split("@")[0];
}

/** Steps that change a stack: `pulumi up` through the action, the CLI, or `llmops promote` (which runs it). */
export function isStackUpdate(step: Step): boolean {
  if (actionName(step) === "pulumi/actions") return step.with.command === "up" || step.with.command === "update";
  const script = step.run ?? "";
  return /\bpulumi\s+up\b/.test(script) || (/\bllmops\s+promote\b/.test(script) && !/--dry-run/.test(script));
}

export function isEvaluation(step: Step): boolean {
  return /\bllmops\s+evaluate\b/.test(step.run ?? "");
}

export function stepIndex(job: Job, predicate: (step: Step) => boolean): number {
  return job.steps.findIndex(predicate);
}

/** Every `${{ ... }}` expression in a text. */
export function expressions(text: string): string[] {
  return [...text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((match) => match[1].trim());
}
