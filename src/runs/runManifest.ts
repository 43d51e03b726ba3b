/**
 * runs.json in `llmops run --out <dir>`: the index of the runs one invocation made, so `llmops evaluate` (and a
 * person) can find the run directory of each (dataset, variant) without parsing directory names.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { RunSummary } from "./bulk/types";
import { writeFileAtomicSync } from "../core/files";
import { UserError } from "../core/userError";

export const runManifestFile = "runs.json";

export interface RunManifestEntry {
  /** Run directory name, relative to the manifest's folder. */
  name: string;
  dataset: string;
  /** Absolute path of the dataset file. */
  data: string;
  variant: Record<string, string>;
  variant_text: string;
  status: RunSummary["status"];
  total: number;
  completed: number;
  failed: number;
}

export interface RunManifest {
  version: 1;
  /** Absolute path of the flow folder that ran. */
  flow: string;
  experiment?: string;
  env?: string;
  created_at: string;
  runs: RunManifestEntry[];
}

export function manifestEntry(run: { name: string; dataset: string; data: string; variant: Record<string, string>; variantText: string }, summary: RunSummary): RunManifestEntry {
  return {
    name: run.name,
    dataset: run.dataset,
    data: run.data,
    variant: run.variant,
    variant_text: run.variantText,
    status: summary.status,
    total: summary.total,
    completed: summary.completed,
    failed: summary.failed,
  };
}

/** Written atomically: a crash never leaves a half-written index. */
export function writeRunManifest(outDir: string, manifest: RunManifest): string {
  const file = path.join(outDir, runManifestFile);
  writeFileAtomicSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return file;
}

export function readRunManifest(outDir: string): RunManifest {
  const file = path.join(outDir, runManifestFile);
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "not found (run `llmops run --out` first)" : `unreadable: ${(err as Error).message}`;
    throw new UserError(`${file}: ${reason}`);
  }
  if (typeof value !== "object" || value === null || (value as { version?: unknown }).version !== 1 || !Array.isArray((value as { runs?: unknown }).runs)) {
    throw new UserError(`${file}: not a version 1 run manifest`);
  }
  return value as RunManifest;
}
