/**
 * The standard flow over every experiment dataset x selected variant, through the same orchestration as
 * `llmops run --experiment` (one run directory per dataset and variant, indexed by runs.json), into the
 * session's runs folder.
 */
import * as path from "node:path";
import { runRuns } from "../../runs/runFlowRuns";
import type { Experiment } from "../../config/experiment";
import { Interrupted } from "./interrupted";
import type { EvaluationSession } from "./session";
import type { AzureMlRequest } from "../../runs/azureml/connect";
import { UserError } from "../../core/userError";

export interface FlowRunDone {
  name: string;
  dataset: string;
  /** Absolute path of the dataset file. */
  data: string;
  variantText: string;
  runDir: string;
}

export async function runExperimentFlows(
  session: EvaluationSession,
  input: { experiment: Experiment; env?: string; variants: string; azureml?: AzureMlRequest },
): Promise<FlowRunDone[]> {
  const { interrupted, incomplete, manifest } = await runRuns({
    ...(input.azureml !== undefined ? { azureml: input.azureml } : {}),
    out: session.runsDir,
    experiment: input.experiment.file,
    ...(input.env !== undefined ? { env: input.env } : {}),
    variants: input.variants,
    ...(session.options.concurrency !== undefined ? { concurrency: session.options.concurrency } : {}),
    datasets: [],
    alsoCheckFlows: input.experiment.evaluators.flatMap((evaluator) => (evaluator.kind === "flow" ? [evaluator.flow] : [])),
    alsoCheckDatasets: input.experiment.evaluators.flatMap((evaluator) => evaluator.datasets.map((dataset) => dataset.source)),
    mappings: {},
    resume: false,
  }, session.options);
  if (interrupted) throw new Interrupted("the flow runs were stopped; no report was written");
  if (incomplete) throw new UserError("the flow runs on Azure ML did not complete (see above); no report was written, --resume is not available here: rerun the evaluation");
  return manifest.runs.map((run) => ({ name: run.name, dataset: run.dataset, data: run.data, variantText: run.variant_text, runDir: path.join(session.runsDir, run.name) }));
}
