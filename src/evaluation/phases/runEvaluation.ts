/**
 * `llmops evaluate` as a function: loads the experiment for the right environment, runs one phase, writes the
 * reports. The command (src/cli/commands/evaluate.ts) only parses arguments and prints.
 */
import type { AzureMlRequest } from "../../runs/azureml/connect";
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { newRunId, type ReportData } from "..";
import { loadExperiment, type Experiment } from "../../config/experiment";
import { builtinNeedsConnection } from "../../config/experiment/builtinEvaluators";
import { readFlowInterface } from "../../flow/flowFolder";
import type { Environment } from "../../llm/connections";
import { UserError } from "../../core/userError";
import type { BulkProgress } from "../../runs/bulk/types";
import type { ArmActions } from "./endpointAuth";
import { runPostPhase } from "./postPhase";
import { runPrePhase } from "./prePhase";
import { runProductionPhase } from "./productionPhase";
import { readBaseline } from "./baseline";
import { writeEvaluationReports, type EvaluationReports } from "./reports";
import { EvaluationSession } from "./session";
import { readStackDeployment, type StackDeployment } from "./stackDeployment";
import { pulumiStackOutputs, readStackOutputsFile } from "./stackOutputs";

export type EvaluationPhase = "pre" | "post" | "production";

export interface EvaluationOptions {
  phase: EvaluationPhase;
  /** Where the command runs: relative paths in the options resolve against it, and messages show paths from it. */
  workingDirectory: string;
  out: string;
  experiment: string;
  env?: string;
  /** `env` came from --env, not from the stack (an unknown one is refused; see loadExperiment). */
  envTyped?: boolean;
  stack?: string;
  /** Folder holding Pulumi.yaml; needed with `stack`. */
  projectRoot?: string;
  /** deployment_config.json instead of the stack's llmops:deploymentConfigPath. */
  deploymentConfig?: string;
  stackOutputs?: string;
  targets: string[];
  baseline?: string;
  variants?: string;
  concurrency?: number;
  productionLog?: string;
  /** Per-attempt timeout of scoring calls. */
  timeoutMs?: number;
  environment: Record<string, string | undefined>;
  /** A progress display per bulk run (by its label); none when omitted (library use). */
  progress?: (label: string) => BulkProgress | undefined;
  /** Aborting stops the pre-deployment flow runs; the evaluation then ends with Interrupted. */
  signal?: AbortSignal;
  /** Pre phase: run the flows as Azure ML jobs (`--on azureml`). */
  azureml?: AzureMlRequest;
  /** Status lines (smoke tests, warnings) for stderr. */
  note: (message: string) => void;
  /** Test seam for ARM (listKeys); default an ArmClient from the environment. */
  arm?: () => ArmActions;
  pulumiCommand?: string;
  now?: Date;
}

export interface EvaluationResult {
  data: ReportData;
  reports: EvaluationReports;
}

function stackDeployment(options: EvaluationOptions): StackDeployment {
  if (options.stack === undefined) throw new UserError("--stack is required for this phase");
  if (options.projectRoot === undefined) throw new UserError(`no Pulumi.yaml in ${options.workingDirectory} or any folder above it: run llmops evaluate inside the project`);
  return readStackDeployment(options.stack, options.projectRoot, options.environment, options.deploymentConfig);
}

/** Whether evaluating needs connection secrets: an LLM judge, or an evaluation flow with LLM nodes. */
function evaluatorsNeedConnections(experiment: Experiment, phase: EvaluationPhase, environment: Environment): boolean {
  const usesConnections = (flow: string): boolean => Object.keys(readFlowInterface(flow, experiment.file, { environment }).connections).length > 0;
  if (phase === "production") return experiment.production !== undefined && usesConnections(experiment.production.flow);
  return experiment.evaluators.some((evaluator) => (evaluator.kind === "builtin" ? builtinNeedsConnection(evaluator.builtin) : usesConnections(evaluator.flow)));
}

/**
 * Secrets are resolved only when something will call a model: the pre phase runs the standard flow; post and
 * production only when an evaluator calls one, so a CI job evaluating a deployment needs no model key.
 */
function loadForPhase(options: EvaluationOptions, env: string | undefined): Experiment {
  const typed = options.envTyped === true && options.stack === undefined;
  const base = { ...(env !== undefined ? { env } : {}), environmentVariables: options.environment, workingDirectory: options.workingDirectory, ...(typed ? { envTyped: true } : {}) };
  const file = path.resolve(options.workingDirectory, options.experiment);
  // On Azure ML the flow's jobs read their keys from Key Vault; only local evaluators may need them here.
  if (options.phase === "pre" && options.azureml === undefined) return loadExperiment(file, base);
  const shape = loadExperiment(file, { ...base, resolveSecrets: false });
  return evaluatorsNeedConnections(shape, options.phase, options.environment) ? loadExperiment(file, base) : shape;
}

export async function runEvaluation(options: EvaluationOptions): Promise<EvaluationResult> {
  const now = options.now ?? new Date();
  const runId = newRunId(options.phase, now, randomBytes(2).toString("hex"));
  let stack: StackDeployment | undefined;
  let env = options.env;
  if (options.phase === "post" || (options.phase === "production" && options.stack !== undefined)) {
    stack = stackDeployment(options);
    if (env !== undefined && env !== stack.environment) {
      throw new UserError(`--env ${env} contradicts stack ${stack.stack}, whose environment is ${stack.environment}; drop --env`);
    }
    env = stack.environment;
  }
  const experiment = loadForPhase(options, env);
  for (const skipped of experiment.skippedEvaluators ?? []) options.note(`evaluator '${skipped.name}': ${skipped.reason}`);
  const outputs =
    options.phase !== "post" || options.targets.length > 0
      ? undefined
      : options.stackOutputs !== undefined
        ? readStackOutputsFile(path.resolve(options.workingDirectory, options.stackOutputs))
        : await pulumiStackOutputs(options.stack!, options.projectRoot!, options.environment, options.pulumiCommand);

  const baseline = options.baseline !== undefined ? readBaseline(options.baseline, options.workingDirectory) : undefined;
  const out = path.resolve(options.workingDirectory, options.out);

  const session = new EvaluationSession(
    {
      runId,
      createdAt: now,
      out,
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.progress !== undefined ? { progress: options.progress } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      environment: options.environment,
      workingDirectory: options.workingDirectory,
      note: options.note,
    },
    experiment.connections,
  );
  let data: ReportData;
  try {
    switch (options.phase) {
      case "pre":
        data = await runPrePhase(session, {
          experiment,
          ...(env !== undefined ? { env } : {}),
          ...(options.variants !== undefined ? { variants: options.variants } : {}),
          ...(baseline !== undefined ? { baseline } : {}),
          ...(options.azureml !== undefined ? { azureml: options.azureml } : {}),
        });
        break;
      case "post":
        data = await runPostPhase(session, {
          experiment,
          stack: stack!,
          ...(outputs !== undefined ? { outputs } : {}),
          targetUrls: options.targets,
          ...(baseline !== undefined ? { baseline } : {}),
          ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
          auth: { environment: options.environment, ...(options.arm !== undefined ? { arm: options.arm } : {}) },
        });
        break;
      case "production":
        data = await runProductionPhase(session, {
          experiment,
          ...(options.productionLog !== undefined ? { log: path.resolve(options.workingDirectory, options.productionLog) } : {}),
          source: stack?.stack ?? "production",
          ...(baseline !== undefined ? { baseline } : {}),
        });
        break;
    }
  } finally {
    await session.close();
  }
  const reports = await writeEvaluationReports(out, data);
  return { data, reports };
}
