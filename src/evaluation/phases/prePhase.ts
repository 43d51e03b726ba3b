/**
 * Pre-deployment evaluation: the standard flow bulk-run on every experiment dataset for every selected variant
 * (the same orchestration as `llmops run --experiment`), every evaluator on its datasets, then gates and the
 * regression check against a previous pre-deployment run.
 *
 * Gates decide on the default variant, the one a deployment serves: a team deploys one variant, and a worse
 * experimental variant must not block it. The other variants' results are computed and shown, marked "not gating",
 * and the report title says which variant gated. When the selection leaves the default variant out (e.g.
 * `--variants classify.few_shot`), every evaluated variant gates: that is what the user asked to check.
 */
import * as path from "node:path";
import {
  baselineComparison,
  buildMetricsEntries,
  buildReportLines,
  parseGates,
  type EvaluatedRun,
  type MetricsFile,
  type GateResult,
  type MetricsEntry,
  type ReportData,
} from "..";
import type { Experiment } from "../../config/experiment";
import { UserError } from "../../core/userError";
import type { AzureMlRequest } from "../../runs/azureml/connect";
import { forPeople } from "./comparisonRows";
import { runExperimentFlows } from "./experimentFlows";
import { regressionResults, thresholdResults } from "./gatePolicy";
import { readRunLines } from "./runLines";
import { defaultVariantText, EvaluationSession } from "./session";

export interface PrePhaseInput {
  experiment: Experiment;
  env?: string;
  /** default | all | product | <node>.<variant>,...; default "all". */
  variants?: string;
  baseline?: MetricsFile;
  azureml?: AzureMlRequest;
}

export async function runPrePhase(session: EvaluationSession, input: PrePhaseInput): Promise<ReportData> {
  const { experiment } = input;
  const gates = parseGates(experiment.gates, `${path.basename(experiment.file)}: gates`);
  const baseline = input.baseline;
  if (baseline !== undefined && baseline.phase !== "pre") {
    throw new UserError(`--baseline: ${baseline.run_id} is a ${baseline.phase} evaluation; pre-deployment regression compares with an earlier pre-deployment run`);
  }

  const flowRuns = await runExperimentFlows(session, {
    experiment,
    ...(input.env !== undefined ? { env: input.env } : {}),
    variants: input.variants ?? "all",
    ...(input.azureml !== undefined ? { azureml: input.azureml } : {}),
  });
  const runs: EvaluatedRun[] = [];
  for (const flowRun of flowRuns) {
    const lines = await readRunLines(flowRun.runDir);
    const evaluators = await session.evaluators.evaluate(
      { dataset: flowRun.dataset, runDir: flowRun.runDir, lines, label: flowRun.name },
      experiment.evaluators,
      path.join(flowRun.runDir, "evaluators"),
    );
    runs.push({ dataset: flowRun.dataset, variant: flowRun.variantText, target: { kind: "flow" }, lines: await session.rows.join(lines, flowRun.data), evaluators });
  }

  const deployed = defaultVariantText(experiment.flow);
  const evaluated = [...new Set(runs.map((run) => run.variant))];
  const gatingVariants = evaluated.includes(deployed) ? [deployed] : evaluated;
  const gating = (entry: MetricsEntry): boolean => gatingVariants.includes(entry.variant);
  const why = (entry: MetricsEntry): string => `variant ${entry.variant} is not the deployed (default) variant`;

  const entries = buildMetricsEntries(runs);
  const results: GateResult[] = thresholdResults(gates, entries, gating, why);
  const draft = session.metricsFile("pre", runs);
  if (baseline !== undefined && experiment.regression !== undefined) {
    results.push(...regressionResults(baseline, draft, entries, experiment.regression, gating, why));
  }
  const metrics = session.metricsFile("pre", runs, results);
  const others = evaluated.filter((variant) => !gatingVariants.includes(variant));
  return {
    title:
      `Pre-deployment evaluation of ${experiment.name} (gates on variant ${gatingVariants.join(", ") || "none"}` +
      `${others.length > 0 ? `; ${others.join(", ")} shown for comparison` : ""})`,
    metrics,
    lines: buildReportLines(runs),
    comparisons: baseline !== undefined ? baselineComparison(baseline, metrics).map(forPeople(gates)) : [],
  };
}
