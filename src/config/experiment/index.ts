export { loadExperiment, readExperimentOutline, type LoadExperimentOptions, type ExperimentOutline, type OutlineDataset } from "./loadExperiment";
export { buildExperiment, runMetricsEvaluator, type ExperimentDocument, type ExperimentProbes } from "./buildExperiment";
export { parseMappingExpression, type MappingExpression } from "./mappingExpression";
export { applyOverlay, type MergedDocument } from "./overlay";
export * from "./types";
export { planRuns, runDirectoryName, variantText, type PlannedRun, type DatasetToRun, type VariantToRun } from "../../runs/runPlan";
export { readRunManifest, writeRunManifest, manifestEntry, runManifestFile, type RunManifest, type RunManifestEntry } from "../../runs/runManifest";
export { formatRunTable, type RunTableRow } from "../../runs/runTable";
export { loadConnectionsFile } from "./connectionsFile";
