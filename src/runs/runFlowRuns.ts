/**
 * Bulk runs of a flow: one flow over one dataset, or every dataset x selected variant of an experiment, each in
 * its own run directory (records.jsonl, outputs.jsonl, summary.json), indexed by runs.json. Shared by `llmops run`
 * and `llmops evaluate --phase pre`, which evaluates these runs. Moved here from src/cli/commands/run.ts so both
 * commands use one orchestration.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runBulk } from "./bulk";
import type { RunSummary } from "./bulk/types";
import { loadExperiment } from "../config/experiment";
import { loadConnectionsFile, readConnectionSpecs } from "../config/experiment/connectionsFile";
import { manifestEntry, writeRunManifest, type RunManifest } from "./runManifest";
import { planRuns, type DatasetToRun } from "./runPlan";
import type { RunTableRow } from "./runTable";
import { createFlowExecutor, createPythonPool, loadFlow, resolveVariants } from "../flow";
import { inputNames, readFlowInterface } from "../flow/flowFolder";
import { openFlow } from "../flow/openFlow";
import type { Flow } from "../flow/types";
import type { FailureBudget } from "./failureBudget";
import { preflight } from "./preflight";
import { createLlmInvoker } from "../llm";
import { connectionSecretValues } from "../llm/connections";
import type { Connection } from "../llm/types";
import { placeholderEnvironment, resolveConnections, type ConnectionSpec, type Environment } from "../llm/connections";
import type { BulkProgress } from "./bulk/types";
import { connectAzureMl, type AzureMlConnection, type AzureMlRequest } from "./azureml/connect";
import { jobConnections } from "./azureml/jobConnections";
import { runOnAzureMl } from "./azureml/runOnAzureMl";
import type { RecordedRequest } from "./azureml/dryRun";
import { UserError } from "../core/userError";

export interface RunArguments {
  out: string;
  flow?: string;
  data?: string;
  mappings: Record<string, string>;
  connections?: string;
  experiment?: string;
  env?: string;
  datasets: string[];
  variants?: string;
  concurrency?: number;
  resume: boolean;
  /** Flex flows: init arguments over the flow's yaml defaults and init.json (`--init`). */
  init?: Record<string, unknown>;
  /** `env` came from --env, not from a stack: an unknown environment is refused (see loadExperiment). */
  envTyped?: boolean;
  /** More datasets the preflight checks (`evaluate --phase pre`: evaluators' own datasets). */
  alsoCheckDatasets?: string[];
  /** More flows the preflight checks before the first model call (`evaluate --phase pre`: evaluator flows). */
  alsoCheckFlows?: string[];
  /** Cap of one model response (default 16 MB): a longer one fails its line. */
  maxResponseBytes?: number;
  /** Failed lines a run may have before `llmops run` exits 1 (read by the command, not by the runs). */
  maxFailed?: FailureBudget;
  /** Run on Azure ML jobs instead of this machine (`--on azureml`). */
  azureml?: AzureMlRequest;
}

interface RunTarget {
  flowDir: string;
  connections: Record<string, Connection>;
  /** As written, secrets as references: what an Azure ML job gets. */
  connectionSpecs: ConnectionSpec[];
  datasets: DatasetToRun[];
  experiment?: string;
  env?: string;
  /** The experiment's `init:` for a flex flow. */
  init?: Record<string, unknown>;
}

/** What the caller (the command line) provides: the environment, a stop signal, progress and status lines. */
export interface RunContext {
  /** Where connection secrets and `${env:VAR}` references are read from. */
  environment: Environment;
  /** What relative paths in the arguments (--flow, --data, --experiment, --connections, --out) are relative to. */
  workingDirectory: string;
  /** Aborting stops the runs: finished lines are kept and `--resume` completes them. */
  signal?: AbortSignal;
  /** A progress display per run (by its name); none when omitted. */
  progress?: (label: string) => BulkProgress | undefined;
  /** Status lines, e.g. which overlay was applied. */
  note: (message: string) => void;
}

export interface RunRunsResult {
  /** The signal stopped the runs before every run finished. */
  interrupted: boolean;
  rows: RunTableRow[];
  manifest: RunManifest;
  /** Azure ML runs that did not finish every line or went over --max-failed (the jobs were cancelled). */
  incomplete: boolean;
  /** `--on azureml --dry-run`: the requests that would have been sent; nothing ran. */
  requests?: RecordedRequest[];
}

function experimentTarget(args: RunArguments, experimentFile: string, context: RunContext): RunTarget {
  // On Azure ML the job reads keys from Key Vault: they need not be set here.
  const experiment = loadExperiment(path.resolve(context.workingDirectory, experimentFile), {
    env: args.env,
    environmentVariables: context.environment,
    workingDirectory: context.workingDirectory,
    resolveSecrets: args.azureml === undefined,
    ...(args.envTyped === true ? { envTyped: true } : {}),
  });
  let datasets = experiment.datasets.map((d) => ({ name: d.name, data: d.source, mappings: d.mappings }));
  if (args.datasets.length > 0) {
    const unknown = args.datasets.filter((name) => !datasets.some((d) => d.name === name));
    if (unknown.length > 0) throw new UserError(`--dataset ${unknown.join(", ")}: not in ${experiment.file} (datasets: ${datasets.map((d) => d.name).join(", ")})`);
    datasets = datasets.filter((d) => args.datasets.includes(d.name));
  }
  const target: RunTarget = { flowDir: experiment.flow, connections: experiment.connections, connectionSpecs: experiment.connectionSpecs, datasets, experiment: experiment.file };
  if (experiment.init) target.init = experiment.init;
  if (experiment.overlayFile) context.note(`${path.basename(experiment.overlayFile)} applied over ${path.basename(experiment.file)}`);
  if (args.env !== undefined) target.env = args.env;
  return target;
}

function flowTarget(args: RunArguments, { environment, workingDirectory }: RunContext): RunTarget {
  if (!args.flow || !args.data) throw new UserError("give --flow and --data, or --experiment");
  const flowDir = path.resolve(workingDirectory, args.flow);
  const data = path.resolve(workingDirectory, args.data);
  if (!fs.existsSync(data)) throw new UserError(`--data ${args.data}: file not found`);
  const connectionsFile = args.connections !== undefined ? path.resolve(workingDirectory, args.connections) : undefined;
  const connectionSpecs = connectionsFile !== undefined ? readConnectionSpecs(connectionsFile) : [];
  const connections = connectionsFile !== undefined && args.azureml === undefined ? loadConnectionsFile(connectionsFile, environment) : {};
  const name = path.basename(data).replace(/\.jsonl?$/i, "");
  return { flowDir, connections, connectionSpecs, datasets: [{ name, data, mappings: args.mappings }] };
}

export async function runRuns(args: RunArguments, context: RunContext): Promise<RunRunsResult> {
  const target = args.experiment ? experimentTarget(args, args.experiment, context) : flowTarget(args, context);
  const flowInterface = readFlowInterface(target.flowDir, args.experiment ? `${args.experiment}: $.flow` : "--flow", { environment: context.environment });
  const dag = flowInterface.kind === "dag" ? loadFlow(target.flowDir) : undefined;
  await preflight({
    flows: [target.flowDir, ...(args.alsoCheckFlows ?? [])],
    // On Azure ML the jobs resolve the connections (keys from Key Vault): here they only need to be declared.
    connections: args.azureml === undefined ? Object.keys(target.connections) : target.connectionSpecs.map((spec) => String(spec.name)),
    connectionsHint: args.experiment ? `add it to connections: in ${args.experiment}` : "pass --connections <file>",
    datasets: [...target.datasets.map((dataset) => dataset.data), ...(args.alsoCheckDatasets ?? [])],
    environment: context.environment,
  });
  if (!dag && args.variants !== undefined && args.variants !== "default" && !(args.experiment && args.variants === "all")) {
    throw new UserError(`--variants ${args.variants}: a ${flowInterface.kind} flow has no variants`);
  }
  const variants: { label: Record<string, string>; flow?: Flow }[] = dag ? resolveVariants(dag, args.variants ?? (args.experiment ? "all" : "default")) : [{ label: {} }];
  const plan = planRuns(target.datasets, variants);
  const out = path.resolve(context.workingDirectory, args.out);
  fs.mkdirSync(out, { recursive: true });

  const signal = context.signal ?? new AbortController().signal;
  const environment = context.environment;
  const azureml: AzureMlConnection | undefined = args.azureml
    ? await connectAzureMl({ ...args.azureml, ...(args.maxFailed !== undefined ? { failureBudget: args.maxFailed } : {}) }, path.basename(target.flowDir), environment)
    : undefined;
  const connectionsForJobs = azureml ? jobConnections(target.connectionSpecs, environment, target.experiment ?? args.connections ?? "connections") : undefined;
  // On Azure ML this machine runs only the aggregation, which calls no model: connections need no secrets here.
  const localConnections = azureml ? resolveConnections(target.connectionSpecs, placeholderEnvironment, "connections") : target.connections;
  let incomplete = false;
  const llm = createLlmInvoker(args.maxResponseBytes !== undefined ? { maxResponseBytes: args.maxResponseBytes } : {});
  const python = createPythonPool({ environment });
  const manifest: RunManifest = { version: 1, flow: target.flowDir, created_at: new Date().toISOString(), runs: [] };
  if (target.experiment) manifest.experiment = target.experiment;
  if (target.env) manifest.env = target.env;
  const rows: RunTableRow[] = [];
  try {
    for (const run of plan) {
      if (signal.aborted) break;
      const executor = run.variant.flow
        ? createFlowExecutor({ flow: run.variant.flow, connections: localConnections, llm, python, environment: context.environment })
        : await openFlow(target.flowDir, { connections: localConnections, llm, python, environment: context.environment, ...(target.init || args.init ? { init: { ...target.init, ...args.init } } : {}) });
      let summary: RunSummary;
      try {
        if (azureml && connectionsForJobs) {
          const result = await runOnAzureMl(
            {
              runDir: path.join(out, run.name),
              runName: run.name,
              labels: run.variant.label,
              data: run.dataset.data,
              mappings: run.dataset.mappings,
              flowDir: target.flowDir,
              ...(target.init || args.init ? { init: { ...target.init, ...args.init } } : {}),
              connections: target.connectionSpecs,
              jobConnections: connectionsForJobs,
              resume: args.resume,
              signal,
              ...(azureml.services.dryRun || context.progress === undefined ? {} : { progress: context.progress(run.name) }),
              executor,
              note: context.note,
            },
            azureml.settings,
            azureml.services,
          );
          if (result.outcome === "tooManyFailures" || result.outcome === "incomplete") incomplete = true;
          if (result.summary === undefined) continue;
          summary = result.summary;
        } else summary = await runBulk({
          data: run.dataset.data,
          executor,
          runDir: path.join(out, run.name),
          runName: run.name,
          labels: run.variant.label,
          ...(Object.keys(run.dataset.mappings).length > 0 ? { columnMapping: run.dataset.mappings } : {}),
          inputNames: inputNames(flowInterface),
          ...(args.concurrency !== undefined ? { concurrency: args.concurrency } : {}),
          resume: args.resume,
          signal,
          ...(context.progress ? { progress: context.progress(run.name) } : {}),
          secrets: connectionSecretValues(target.connections),
        });
      } finally {
        await executor.close?.();
      }
      rows.push({ name: run.name, summary });
      manifest.runs.push(manifestEntry({ name: run.name, dataset: run.dataset.name, data: run.dataset.data, variant: run.variant.label, variantText: run.variantText }, summary));
      writeRunManifest(out, manifest);
    }
  } finally {
    await python.close();
  }
  if (azureml?.recorder) return { interrupted: false, incomplete: false, rows, manifest, requests: azureml.recorder.requests };
  return { interrupted: signal.aborted, incomplete, rows, manifest };
}
