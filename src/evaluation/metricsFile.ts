/**
 * metrics.json: the metrics of one evaluation run, and the baseline of the next. Version 1:
 *
 *   { "version": 1, "phase": "pre" | "post" | "production", "run_id": "...", "created_at": ISO 8601,
 *     "targets": [ { "id", "label", "dataset", "evaluator", "variant", "target": {...}, "metrics": {name: number},
 *                    "lines", "failed" } ],
 *     "gates": [ GateResult... ] }
 *
 * One target entry = one (dataset, evaluator, thing evaluated). `variant` is the flow variant label (e.g.
 * "classify_ticket.few_shot" or "default") whether the thing evaluated is a local flow run or a deployment
 * serving that variant, so a pre-deployment run and a deployed run compare "the same variant" through
 * (dataset, evaluator, variant). `id` is unique inside a file and stable across runs, so the next run of the same
 * phase finds its baseline entry by id.
 */
import { ConfigError } from "../core/userError";
import type { GateResult } from "./gates/gateResult";
import { isRecord } from "../core/values";

export type MetricsPhase = "pre" | "post" | "production";

/** What produced the outputs that were evaluated. Never holds keys or full URLs with query strings. */
export type EvaluatedTarget =
  | { kind: "flow" }
  | { kind: "deployment"; endpoint: string; deployment: string }
  | { kind: "webapp"; name: string }
  | { kind: "url"; name: string }
  /** Rows a deployment logged (post-production): no variant is known, so labels name only the source. */
  | { kind: "production"; name: string };

export interface MetricsEntry {
  id: string;
  label: string;
  dataset: string;
  evaluator: string;
  variant: string;
  target: EvaluatedTarget;
  metrics: Record<string, number>;
  lines: number;
  failed: number;
}

export interface MetricsFile {
  version: 1;
  phase: MetricsPhase;
  run_id: string;
  created_at: string;
  targets: MetricsEntry[];
  gates: GateResult[];
}

export function targetName(target: EvaluatedTarget): string {
  switch (target.kind) {
    case "flow":
      return "flow";
    case "deployment":
      return `${target.endpoint}:${target.deployment}`;
    case "webapp":
      return `webapp:${target.name}`;
    case "url":
      return `url:${target.name}`;
    case "production":
      return `production:${target.name}`;
  }
}

/** `<dataset>/<evaluator>@<variant>` for flow runs, `<dataset>/<evaluator>@<endpoint>:<deployment>` otherwise. */
export function metricsEntryId(entry: Pick<MetricsEntry, "dataset" | "evaluator" | "variant" | "target">): string {
  const where = entry.target.kind === "flow" ? entry.variant : targetName(entry.target);
  return `${entry.dataset}/${entry.evaluator}@${where}`;
}

/** "few_shot" for a flow run, "ticket-ep:blue (few_shot)" for a deployment serving that variant. */
export function targetLabel(variant: string, target: EvaluatedTarget): string {
  if (target.kind === "flow") return variant;
  if (target.kind === "production") return `production log (${target.name})`;
  return `${targetName(target)} (${variant})`;
}

export function createMetricsEntry(fields: Omit<MetricsEntry, "id" | "label"> & { label?: string }): MetricsEntry {
  return { ...fields, id: metricsEntryId(fields), label: fields.label ?? targetLabel(fields.variant, fields.target) };
}

// ---- reading a baseline: strict, because a silently misread baseline would wave regressions through ----

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? `"${value.slice(0, 40)}"` : typeof value;
}

function readString(file: string, path: string, value: unknown): string {
  if (typeof value !== "string") throw new ConfigError(file, path, "a string", kindOf(value));
  return value;
}

function readCount(file: string, path: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new ConfigError(file, path, "a non-negative integer", kindOf(value));
  }
  return value;
}

function readTarget(file: string, path: string, value: unknown): EvaluatedTarget {
  if (!isRecord(value)) throw new ConfigError(file, path, "an object", kindOf(value));
  switch (value.kind) {
    case "flow":
      return { kind: "flow" };
    case "deployment":
      return {
        kind: "deployment",
        endpoint: readString(file, `${path}.endpoint`, value.endpoint),
        deployment: readString(file, `${path}.deployment`, value.deployment),
      };
    case "webapp":
    case "url":
    case "production":
      return { kind: value.kind, name: readString(file, `${path}.name`, value.name) };
    default:
      throw new ConfigError(file, `${path}.kind`, '"flow", "deployment", "webapp", "url" or "production"', kindOf(value.kind));
  }
}

function readEntry(file: string, path: string, value: unknown): MetricsEntry {
  if (!isRecord(value)) throw new ConfigError(file, path, "an object", kindOf(value));
  if (!isRecord(value.metrics)) throw new ConfigError(file, `${path}.metrics`, "an object", kindOf(value.metrics));
  const metrics: Record<string, number> = {};
  for (const [name, metric] of Object.entries(value.metrics)) {
    if (typeof metric !== "number" || !Number.isFinite(metric)) {
      throw new ConfigError(file, `${path}.metrics.${name}`, "a finite number", kindOf(metric));
    }
    metrics[name] = metric;
  }
  return {
    id: readString(file, `${path}.id`, value.id),
    label: readString(file, `${path}.label`, value.label),
    dataset: readString(file, `${path}.dataset`, value.dataset),
    evaluator: readString(file, `${path}.evaluator`, value.evaluator),
    variant: readString(file, `${path}.variant`, value.variant),
    target: readTarget(file, `${path}.target`, value.target),
    metrics,
    lines: readCount(file, `${path}.lines`, value.lines),
    failed: readCount(file, `${path}.failed`, value.failed),
  };
}

/** Parses a metrics.json text (e.g. the previous run's, as a baseline); `file` names it in errors. */
export function parseMetricsFile(text: string, file: string): MetricsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, "$", "valid JSON", `a parse error (${(err as Error).message})`);
  }
  if (!isRecord(data)) throw new ConfigError(file, "$", "an object", kindOf(data));
  if (data.version !== 1) throw new ConfigError(file, "$.version", "1", kindOf(data.version));
  if (data.phase !== "pre" && data.phase !== "post" && data.phase !== "production") {
    throw new ConfigError(file, "$.phase", '"pre", "post" or "production"', kindOf(data.phase));
  }
  if (!Array.isArray(data.targets)) throw new ConfigError(file, "$.targets", "an array", kindOf(data.targets));
  const targets = data.targets.map((entry, index) => readEntry(file, `$.targets[${index}]`, entry));
  return {
    version: 1,
    phase: data.phase,
    run_id: readString(file, "$.run_id", data.run_id),
    created_at: readString(file, "$.created_at", data.created_at),
    targets,
    // A baseline's gate results are history, not input: nothing compares against them, so they are not read.
    gates: [],
  };
}

export function serializeMetricsFile(file: MetricsFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}
