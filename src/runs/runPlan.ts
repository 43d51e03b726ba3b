/**
 * Which bulk runs `llmops run` makes: every dataset with every selected variant, dataset-major, each in its own
 * run directory whose name is derived from the dataset and the variant choice. Names are deterministic (no
 * timestamps) so `--resume` finds a killed run again and `llmops evaluate` can pair runs with datasets.
 */

export interface DatasetToRun {
  name: string;
  /** Absolute JSONL path. */
  data: string;
  mappings: Record<string, string>;
}

export interface VariantToRun {
  /** Chosen variant id per node with variants; empty for a flow without variants. */
  label: Record<string, string>;
}

export interface PlannedRun<V extends VariantToRun> {
  /** Run directory name, unique within the plan. */
  name: string;
  dataset: DatasetToRun;
  variant: V;
  /** `classify.few_shot`, `a.x,b.y` or `default`. */
  variantText: string;
}

export function variantText(label: Record<string, string>): string {
  const parts = Object.entries(label).map(([node, id]) => `${node}.${id}`);
  return parts.length > 0 ? parts.join(",") : "default";
}

/** `ticket_eval` + `classify.few_shot` → `ticket_eval__classify.few_shot`; only file-name-safe characters. */
export function runDirectoryName(dataset: string, variant: string): string {
  const safe = (text: string): string => text.replace(/,/g, "+").replace(/[^A-Za-z0-9._+-]/g, "_");
  return `${safe(dataset)}__${safe(variant)}`;
}

export function planRuns<V extends VariantToRun>(datasets: readonly DatasetToRun[], variants: readonly V[]): PlannedRun<V>[] {
  const runs: PlannedRun<V>[] = [];
  for (const dataset of datasets) {
    for (const variant of variants) {
      const text = variantText(variant.label);
      runs.push({ name: runDirectoryName(dataset.name, text), dataset, variant, variantText: text });
    }
  }
  const names = new Set(runs.map((run) => run.name));
  if (names.size !== runs.length) {
    // Only possible when two dataset names differ in characters the directory name replaces.
    throw new Error(`run names collide: ${runs.map((run) => run.name).join(", ")}`);
  }
  return runs;
}
