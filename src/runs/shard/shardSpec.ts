/**
 * spec.json of an Azure ML job attempt: what every instance of it runs. Uploaded next to the dataset and read by
 * `llmops run-shard` inside the job. Holds no secret: connections keep their `${VAR}` references; the job gets the
 * non-secret variables as environment variables and reads the secret ones from Key Vault (`secretVariables`).
 */
import * as fs from "node:fs";
import type { ConnectionSpec } from "../../llm/connections";
import { UserError } from "../../core/userError";
import type { LineRange } from "./pendingLines";
import { isRecord } from "../../core/values";

export interface ShardSpec {
  version: 1;
  run: string;
  /** Variant choice per node, applied over the flow's defaults. */
  labels: Record<string, string>;
  /** Column mapping of the dataset (`${data.col}` expressions). */
  mappings: Record<string, string>;
  connections: ConnectionSpec[];
  /** Environment variable a secret connection field references → Key Vault secret holding it. */
  secretVariables: Record<string, string>;
  /** Lines this attempt runs, as sorted [start, end) ranges. */
  pending: LineRange[];
  miniBatchSize: number;
  instances: number;
  /** Lines in flight per instance. */
  concurrency: number;
  /** An instance stops (and its job fails) once more lines than this failed on it. */
  maxFailed?: number;
  /** Flex flows: init arguments (`--init`). */
  init?: Record<string, unknown>;
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((item) => typeof item === "string");
}

function isPositiveInteger(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1;
}

export function readShardSpec(file: string): ShardSpec {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new UserError(`${file}: unreadable job spec: ${(err as Error).message}`);
  }
  const problem = specProblem(value);
  if (problem !== undefined) throw new UserError(`${file}: not a version 1 job spec: ${problem}`);
  return value as ShardSpec;
}

function specProblem(value: unknown): string | undefined {
  if (!isRecord(value) || value.version !== 1) return "version must be 1";
  if (typeof value.run !== "string") return "run must be a string";
  if (!isStringRecord(value.labels) || !isStringRecord(value.mappings) || !isStringRecord(value.secretVariables)) {
    return "labels, mappings and secretVariables must map names to strings";
  }
  if (!Array.isArray(value.connections) || !value.connections.every(isRecord)) return "connections must be a list of objects";
  if (!Array.isArray(value.pending) || !value.pending.every((range) => Array.isArray(range) && range.length === 2)) return "pending must be [start, end) pairs";
  for (const key of ["miniBatchSize", "instances", "concurrency"] as const) if (!isPositiveInteger(value[key])) return `${key} must be a whole number >= 1`;
  if (value.init !== undefined && !isRecord(value.init)) return "init must be an object";
  if (value.maxFailed !== undefined && !(Number.isInteger(value.maxFailed) && (value.maxFailed as number) >= 0)) return "maxFailed must be a whole number >= 0";
  return undefined;
}
