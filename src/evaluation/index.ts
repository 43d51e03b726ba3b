/** The evaluation core's public API: evaluators, gates, metrics files, comparisons, reports and scoring targets. */
export type { EvaluatorResult, RunLine } from "./types";
export { createBuiltinEvaluator } from "./evaluators/builtin";
export { evaluateLines } from "./evaluators/evaluateLines";
export { runMetricsEvaluatorName } from "./evaluators/runMetrics";
export { parseGates, type Gate } from "./gates/gate";
export { evaluateGates, allPassed } from "./gates/evaluateGates";
export { regressionGates, type RegressionPolicy } from "./gates/regression";
export type { GateResult } from "./gates/gateResult";
export {
  createMetricsEntry,
  parseMetricsFile,
  serializeMetricsFile,
  type EvaluatedTarget,
  type MetricsEntry,
  type MetricsFile } from "./metricsFile";
export { parseRunRecords, joinData } from "./runRecord";
export { buildMetricsEntries, buildMetricsFile, buildReportLines, type EvaluatedRun } from "./assemble";
export { abComparison, baselineComparison, type ComparisonTable } from "./comparison";
export type { ReportData } from "./report/reportData";
export { writeReports, newRunId, type WrittenReports } from "./report/writeReports";
export { createScoringTarget, scoringUrl, type ScoringAuth, type ScoringTargetOptions } from "./scoring/scoringTarget";
export { smokeTest, smokeGateResult, type SmokeTestResult } from "./scoring/smokeTest";
export { flowEvaluatorResult } from "./flowEvaluatorResult";
