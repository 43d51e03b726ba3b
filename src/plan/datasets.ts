import * as fs from "node:fs";
import * as path from "node:path";
import { jsonPath } from "../config/jsonPath";
import { resolveInside } from "../config/projectPaths";
import type { DatasetSource } from "../config/stackSettings";
import type { ExperimentOutline } from "../config/experiment";
import { ConfigError } from "../core/userError";
import { assetNamePattern, versionFromHash } from "./assetNames";
import { sha256Hex } from "../core/sha256";
import type { DatasetPlan } from "./types";

export const defaultDatasetPattern = "flows/data/*.jsonl";

/** "flows/data/*.jsonl": a `*` is allowed in the file name only. */
function expand(projectRoot: string, pattern: string): string[] {
  const absolute = path.resolve(projectRoot, pattern);
  // A symlinked data file pointing out of the project is skipped here and refused below when named explicitly.
  const inside = (file: string): boolean => resolveInside(projectRoot, file) !== undefined;
  const base = path.basename(absolute);
  if (!base.includes("*")) return fs.existsSync(absolute) && fs.statSync(absolute).isFile() && inside(absolute) ? [absolute] : [];
  const dir = path.dirname(absolute);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [];
  const matcher = new RegExp(`^${base.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && matcher.test(e.name))
    .map((e) => path.join(dir, e.name))
    .filter(inside)
    .sort();
}

/**
 * The experiment's local datasets as data assets, as the template's register_data_asset registers them: the
 * dataset's name and description, the file's content hash deciding the version. `azureml:` sources are assets
 * already and are not registered again.
 */
export function experimentDatasetPlans(experiment: ExperimentOutline, experimentFile: string): DatasetPlan[] {
  return experiment.datasets.flatMap((dataset): DatasetPlan[] => {
    if (dataset.localPath === undefined) return [];
    if (!assetNamePattern.test(dataset.name)) {
      throw new ConfigError(experimentFile, "$.datasets", "dataset names usable as Azure ML asset names (letters, digits, -, _, .)", JSON.stringify(dataset.name));
    }
    return [datasetPlan(dataset.name, dataset.localPath, dataset.description)];
  });
}

function datasetPlan(name: string, localPath: string, description: string | undefined): DatasetPlan {
  const sha256 = sha256Hex(fs.readFileSync(localPath));
  const plan: DatasetPlan = { name, localPath, sha256, version: versionFromHash(sha256), datastorePath: `LocalUpload/${sha256}/${path.basename(localPath)}` };
  if (description !== undefined) plan.description = description;
  return plan;
}

/** Data files to register, hashed. Explicit entries must match files; the default may match none. Reads the disk. */
export function buildDatasetPlans(
  projectRoot: string,
  sources: DatasetSource[] | undefined,
  stackConfigFile: string,
): DatasetPlan[] {
  const explicit = sources !== undefined;
  const wanted: DatasetSource[] = sources ?? [{ path: defaultDatasetPattern }];
  const plans: DatasetPlan[] = [];
  const names = new Map<string, string>();
  wanted.forEach((source, index) => {
    const at = jsonPath(["config", "llmops:datasets", index]);
    if (resolveInside(projectRoot, path.dirname(source.path)) === undefined) {
      throw new ConfigError(stackConfigFile, at, "a data file inside the project (relative to the project root)", `${JSON.stringify(source.path)} (outside the project)`);
    }
    const files = expand(projectRoot, source.path);
    if (files.length === 0 && explicit) {
      throw new ConfigError(stackConfigFile, at, "an existing data file (relative to the project root)", `"${source.path}" (no such file)`);
    }
    if (files.length > 1 && source.name !== undefined) {
      throw new ConfigError(stackConfigFile, at, "a single file when a dataset name is given", `${files.length} files for "${source.path}"`);
    }
    for (const localPath of files) {
      const fileName = path.basename(localPath);
      const name = source.name ?? fileName.replace(/\.[^.]+$/, "");
      if (!assetNamePattern.test(name)) {
        throw new ConfigError(stackConfigFile, at, "a data file name usable as an Azure ML asset name (letters, digits, -, _, .)", JSON.stringify(name));
      }
      const previous = names.get(name);
      if (previous !== undefined) {
        throw new ConfigError(stackConfigFile, at, `dataset names that differ (both files give "${name}")`, `"${previous}" and "${localPath}"`);
      }
      names.set(name, localPath);
      plans.push(datasetPlan(name, localPath, source.description));
    }
  });
  return plans;
}
