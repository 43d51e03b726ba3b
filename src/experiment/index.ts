export { loadExperiment, type LoadExperimentOptions } from "./loadExperiment";
export { buildExperiment, runMetricsEvaluator, type ExperimentDocument, type ExperimentProbes } from "./buildExperiment";
export { readFlowInterface, flowInterfaceOf, type FlowInterface } from "./flowInterface";
export { parseMappingExpression, type MappingExpression } from "./mappingExpression";
export { applyOverlay, type MergedDocument } from "./overlay";
export * from "./types";
