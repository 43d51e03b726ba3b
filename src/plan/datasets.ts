import * as path from "node:path";
import { jsonPath } from "../config/jsonPath";
import type { DatasetSource } from "../config/stackSettings";
import { ConfigError } from "../core/userError";
import { assetNamePattern, versionFromHash } from "./assetNames";
import type { ExperimentDataFile, HashedDataFile } from "./sources";
import type { DatasetPlan } from "./types";

const defaultDatasetPattern = "flows/data/*.jsonl";

/** llmops:datasets, or without it the default pattern (which, unlike an entry, may match no file). */
export function wantedDatasets(sources: DatasetSource[] | undefined): DatasetSource[] {
  return sources ?? [{ path: defaultDatasetPattern }];
}

/**
 * The experiment's local datasets as data assets, as the template's register_data_asset registers them: the
 * dataset's name and description, the file's content hash deciding the version.
 */
export function experimentDatasetPlans(experimentFile: string, datasets: readonly ExperimentDataFile[]): DatasetPlan[] {
  return datasets.map((dataset) => {
    if (!assetNamePattern.test(dataset.name)) {
      throw new ConfigError(experimentFile, "$.datasets", "dataset names usable as Azure ML asset names (letters, digits, -, _, .)", JSON.stringify(dataset.name));
    }
    return datasetPlan(dataset.name, dataset.file, dataset.description);
  });
}

function datasetPlan(name: string, file: HashedDataFile, description: string | undefined): DatasetPlan {
  const { path: localPath, sha256 } = file;
  const plan: DatasetPlan = { name, localPath, sha256, version: versionFromHash(sha256), datastorePath: `LocalUpload/${sha256}/${path.basename(localPath)}` };
  if (description !== undefined) plan.description = description;
  return plan;
}

/**
 * Data files to register, hashed: per wanted dataset (see wantedDatasets) the files it matched, or "outside" the
 * project. Explicit entries must match files; the default may match none.
 */
export function buildDatasetPlans(
  sources: DatasetSource[] | undefined,
  matches: readonly (readonly HashedDataFile[] | "outside")[],
  stackConfigFile: string,
): DatasetPlan[] {
  const explicit = sources !== undefined;
  const plans: DatasetPlan[] = [];
  const names = new Map<string, string>();
  wantedDatasets(sources).forEach((source, index) => {
    const at = jsonPath(["config", "llmops:datasets", index]);
    const files = matches[index];
    if (files === "outside") {
      throw new ConfigError(stackConfigFile, at, "a data file inside the project (relative to the project root)", `${JSON.stringify(source.path)} (outside the project)`);
    }
    if (files.length === 0 && explicit) {
      throw new ConfigError(stackConfigFile, at, "an existing data file (relative to the project root)", `"${source.path}" (no such file)`);
    }
    if (files.length > 1 && source.name !== undefined) {
      throw new ConfigError(stackConfigFile, at, "a single file when a dataset name is given", `${files.length} files for "${source.path}"`);
    }
    for (const file of files) {
      const fileName = path.basename(file.path);
      const name = source.name ?? fileName.replace(/\.[^.]+$/, "");
      if (!assetNamePattern.test(name)) {
        throw new ConfigError(stackConfigFile, at, "a data file name usable as an Azure ML asset name (letters, digits, -, _, .)", JSON.stringify(name));
      }
      const previous = names.get(name);
      if (previous !== undefined) {
        throw new ConfigError(stackConfigFile, at, `dataset names that differ (both files give "${name}")`, `"${previous}" and "${file.path}"`);
      }
      names.set(name, file.path);
      plans.push(datasetPlan(name, file, source.description));
    }
  });
  return plans;
}
