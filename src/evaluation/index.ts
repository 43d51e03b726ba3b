/** The evaluation core's public API: evaluators, gates, metrics files, comparisons, reports and scoring targets. */
export type { Evaluator, EvaluatorResult, LineScore, RunLine } from "./types";
export { createBuiltinEvaluator, builtinEvaluatorKinds, type BuiltinEvaluatorKind, type BuiltinEvaluatorSpec } from "./evaluators/builtin";
export { evaluateLines, type EvaluateOptions } from "./evaluators/evaluateLines";
export { resolveMappings, resolveMappedValue } from "./evaluators/mapping";
export { runMetrics, percentile, runMetricsEvaluatorName } from "./evaluators/runMetrics";
export { tokenF1 } from "./evaluators/tokenF1";
export { parseJudgeVerdict, type JudgeVerdict } from "./evaluators/judgeScore";
export { judgePrompt, type JudgeCriterion, type JudgeDependencies } from "./evaluators/llmJudge";
export { parseGate, parseGates, compare, type Gate, type GateOperator } from "./gates/gate";
export { parseMetricRef, formatMetricRef, lowerIsBetter, type MetricRef } from "./gates/metricRef";
export { evaluateGate, evaluateGates, allPassed } from "./gates/evaluateGates";
export { regressionGates, metricDrop, type RegressionPolicy, type MetricDrop } from "./gates/regression";
export type { GateResult } from "./gates/gateResult";
export {
  createMetricsEntry,
  metricsEntryId,
  parseMetricsFile,
  serializeMetricsFile,
  targetLabel,
  targetName,
  type EvaluatedTarget,
  type MetricsEntry,
  type MetricsFile,
  type MetricsPhase,
} from "./metricsFile";
export { parseRunRecords, runLineFromRecord, joinData } from "./runRecord";
export { buildMetricsEntries, buildMetricsFile, buildReportLines, type EvaluatedRun, type LineOutcome, type MetricsFileInput, type ReportLine } from "./assemble";
export { abComparison, baselineComparison, deployedVsPreComparison, deployedVsPreGates, type ComparisonRow, type ComparisonTable, type ComparisonVerdict } from "./comparison";
export type { ReportData } from "./report/reportData";
export { renderHtmlReport, maxHtmlLines } from "./report/htmlReport";
export { renderMarkdownReport } from "./report/markdownReport";
export { renderResultsCsv } from "./report/csvReport";
export { renderJunitXml } from "./report/junitReport";
export { writeReports, newRunId, reportFileNames, type WrittenReports } from "./report/writeReports";
export { createScoringTarget, scoringUrl, azureMlScope, type ScoringAuth, type ScoringTargetOptions } from "./scoring/scoringTarget";
export { smokeTest, smokeGateResult, type SmokeTestResult } from "./scoring/smokeTest";
export { flowEvaluatorResult } from "./flowEvaluatorResult";
