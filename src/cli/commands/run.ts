/**
 * `llmops run`: bulk runs of a flow, like `pf run create`, locally. Either one flow over one dataset, or every
 * dataset x variant of an experiment. Each run gets its own directory (records.jsonl, outputs.jsonl,
 * summary.json); runs.json indexes them for `llmops evaluate`. A failing line never fails the command: the exit
 * code is 0 when every line completed, 1 when a run has more failed lines than --max-failed allows (none by
 * default; the distinct errors are listed), 2 when the runs could not start (a UserError, e.g. a template that
 * does not parse: found before any model call) and 130 when interrupted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { formatRunTable } from "../../runs/runTable";
import { readTextFile } from "../../core/files";
import { findProjectRoot } from "../../core/projectRoot";
import { parseCommandOptions, usageError, type CommandOptions } from "../commandOptions";
import { readStackExperiment, useCaseExperiment } from "../../config/stackConfigFile";
import { applyUseCaseEnvironment } from "../useCaseEnvironment";
import { downloadExperimentDataAssets } from "../dataAssetDownloads";
import type { WorkspaceReference } from "../../azure/workspaceConnections";
import type { Command } from "../command";
import { terminalText } from "../terminalText";
import { describeFailureBudget, noFailures, parseFailureBudget, withinFailureBudget } from "../../runs/failureBudget";
import { whileInterruptible } from "../interrupt";
import { createProgressReporter } from "../progress";
import { runRuns, type RunArguments } from "../../runs/runFlowRuns";
import { formatRunErrors } from "../../runs/runTable";
import { azureMlOptionSpecs, azureMlUsage, parseAzureMlOptions, printRecordedRequests } from "../azureMlOptions";

export type { RunArguments };

const usage = `usage: llmops run --flow <dir> --data <file.jsonl> --out <dir> [options]
       llmops run --experiment <experiment.yaml> [--env <name>] --out <dir> [options]
       llmops run --use-case <folder> [--env <name>] --out <dir> [options]
       llmops run --stack <name> --out <dir> [options]

Runs a prompt flow over every line of a dataset, once per selected variant, and prints a table of the runs.
Each run writes <out>/<dataset>__<variant>/{records.jsonl, outputs.jsonl, summary.json}; <out>/runs.json lists them.

options:
  --flow <path>             flow folder (flow.dag.yaml or flow.flex.yaml) or .prompty file
  --data <file.jsonl>       dataset, one JSON object per line
  --mapping <in>=<expr>     flow input from a column, e.g. --mapping ticket_text='\${data.text}' (repeatable;
                            unmapped inputs read the column of the same name)
  --connections <file>      YAML/JSON list of connections (or a file with connections:, e.g. experiment.yaml);
                            secrets as \${ENV_VAR} references
  --experiment <file>       run every dataset of an experiment (flow, datasets, mappings, connections from it)
  --use-case <folder>       a use case in the template's layout: runs <folder>/experiment.yaml
  --stack <name>            the experiment of Pulumi.<name>.yaml (its llmops:useCase) in its environment
  --env <name>              apply experiment.<name>.yaml over the experiment
  --dataset <name>          with --experiment: only this dataset (repeatable)
  --variants <selection>    default | all (each variant alone, others at default) | product (every combination)
                            | <node>.<variant>[,...]; default: "default" for --flow, "all" for --experiment
  --concurrency <n>         lines in flight per run (default 16)
  --init <file|json>        flex flows: init arguments (JSON object or a JSON file) over init.json and the
                            yaml's init defaults, e.g. --init '{"model_config": {"connection": "aoai"}}'
  --resume                  keep existing records and run only lines that did not complete
  --max-response-mb <n>     largest model response accepted, in MB (default 16); a longer one fails its line
  --max-failed <n|p%>       failed lines a run may have and still exit 0, e.g. 5 or 2% (default 0: any failed
                            line exits 1, after listing the distinct errors)
  --out <dir>               output folder (required)

on Azure ML (see README, "Running at scale"; --max-failed there also cancels the jobs once exceeded):
${azureMlUsage}`;


/** `name=value` pairs; the value may itself contain `=`. */
export function parseMappingArguments(pairs: readonly string[]): Record<string, string> {
  const mappings: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf("=");
    const name = pair.slice(0, equals).trim();
    if (equals <= 0 || name === "") throw usageError(`--mapping '${pair}': expected <input>=<expression>, e.g. ticket_text='\${data.text}'`, usage);
    if (name in mappings) throw usageError(`--mapping: input '${name}' is mapped twice`, usage);
    mappings[name] = pair.slice(equals + 1);
  }
  return mappings;
}

/** `--init`: a JSON object, inline or in a file. */
export function parseInitArgument(value: string): Record<string, unknown> {
  const inline = value.trim().startsWith("{");
  let text = value;
  if (!inline) {
    if (!fs.existsSync(value)) throw usageError(`--init ${value}: neither a JSON object nor an existing file`, usage);
    text = readTextFile(value);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw usageError(`--init ${inline ? "" : `${value}: `}expected a JSON object of init arguments, found invalid JSON (${err instanceof Error ? err.message : String(err)})`, usage);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw usageError(`--init: expected a JSON object of init arguments`, usage);
  return parsed as Record<string, unknown>;
}

/** The run's arguments, plus the stack's workspace when --stack named it (for `azureml:` datasets). */
export type ParsedRunArguments = RunArguments & { workspace?: WorkspaceReference };

export function parseRunArguments(args: string[]): ParsedRunArguments {
  const options = parseCommandOptions(
    args,
    {
      flow: { type: "string" },
      data: { type: "string" },
      mapping: { type: "string", multiple: true },
      connections: { type: "string" },
      experiment: { type: "string" },
      "use-case": { type: "string" },
      stack: { type: "string" },
      env: { type: "string" },
      dataset: { type: "string", multiple: true },
      variants: { type: "string" },
      concurrency: { type: "string" },
      resume: { type: "boolean" },
      init: { type: "string" },
      "max-failed": { type: "string" },
      "max-response-mb": { type: "string" },
      out: { type: "string" },
      ...azureMlOptionSpecs,
    },
    usage,
  );
  const { text, list, flag, positiveInteger } = options;
  // Annotated so TypeScript narrows after a call, as it does for a declared function.
  const fail: CommandOptions["fail"] = options.fail;

  const out = text("out");
  if (!out) fail("--out is required");
  const parsed: ParsedRunArguments = { out, mappings: parseMappingArguments(list("mapping")), datasets: list("dataset"), resume: flag("resume") };
  for (const key of ["flow", "data", "connections", "experiment", "env", "variants"] as const) {
    const value = text(key);
    if (value !== undefined) parsed[key] = value;
  }
  const init = text("init");
  if (init !== undefined) parsed.init = parseInitArgument(init);
  const maxFailed = text("max-failed");
  if (maxFailed !== undefined) parsed.maxFailed = parseFailureBudget(maxFailed);
  const maxResponseMb = positiveInteger("max-response-mb");
  if (maxResponseMb !== undefined) parsed.maxResponseBytes = maxResponseMb * 1024 * 1024;
  const concurrency = positiveInteger("concurrency");
  if (concurrency !== undefined) parsed.concurrency = concurrency;
  const azureml = parseAzureMlOptions(options, process.cwd());
  if (azureml !== undefined) parsed.azureml = azureml;
  const chosen = (["experiment", "use-case", "stack"] as const).filter((key) => text(key) !== undefined);
  if (chosen.length > 1) fail(`give one of --${chosen.join(", --")}: each names the experiment`);
  const useCase = text("use-case");
  if (useCase !== undefined) parsed.experiment = useCaseExperiment(useCase);
  const stack = text("stack");
  // With --on azureml, --flow and --data, --stack names only the workspace the jobs run in.
  if (stack !== undefined && !(azureml !== undefined && text("flow") !== undefined)) {
    const root = findProjectRoot(process.cwd());
    if (root === undefined) fail(`--stack ${stack}: no Pulumi.yaml in ${process.cwd()} or any folder above it`);
    const fromStack = readStackExperiment(root, stack, process.env);
    if (parsed.env !== undefined && parsed.env !== fromStack.environment) fail(`--env ${parsed.env} contradicts stack ${stack}, whose environment is ${fromStack.environment}; drop --env`);
    parsed.experiment = fromStack.experiment;
    parsed.env = fromStack.environment;
    parsed.workspace = fromStack.workspace;
  } else if (parsed.env !== undefined) {
    parsed.envTyped = true;
  }
  if (parsed.experiment) {
    const mixed: string[] = (["flow", "data", "connections"] as const).filter((key) => parsed[key] !== undefined);
    if (Object.keys(parsed.mappings).length > 0) mixed.push("mapping");
    if (mixed.length > 0) fail(`--${chosen[0]} takes the flow, datasets, mappings and connections from the experiment; drop --${mixed.join(", --")}`);
  } else {
    if (!parsed.flow || !parsed.data) fail("give --flow and --data, or --experiment, --use-case or --stack");
    if (parsed.env) fail("--env applies an experiment overlay: use it with --experiment");
    if (parsed.datasets.length > 0) fail("--dataset picks experiment datasets: use it with --experiment");
  }
  return parsed;
}

export const runCommand: Command = {
  summary: "bulk-run a flow over datasets, per variant (local, like pf run)",
  usage,
  async run(args) {
    const parsed = parseRunArguments(args);
    const note = (message: string): void => console.error(`llmops run: ${message}`);
    if (parsed.experiment !== undefined) {
      applyUseCaseEnvironment(parsed.experiment, note);
      await downloadExperimentDataAssets(parsed.experiment, parsed.env, process.env, parsed.workspace, note);
    }
    const { interrupted, incomplete, rows, requests } = await whileInterruptible(
      () => note("stopping; finished lines are kept, --resume completes the runs"),
      (signal) => runRuns(parsed, { environment: process.env, workingDirectory: process.cwd(), signal, progress: (label) => createProgressReporter({ label }), note }),
    );
    if (requests !== undefined) {
      printRecordedRequests(requests, args.includes("--json"));
      return 0;
    }
    console.log(formatRunTable(rows));
    const out = path.resolve(parsed.out);
    const shown = path.relative(process.cwd(), out);
    console.log(`\nrecords and summaries in ${shown === "" ? "." : shown.startsWith("..") ? out : shown}/<run>/, index in runs.json`);
    const errors = formatRunErrors(rows);
    if (errors !== "") console.log(`\nerrors (line numbers as in records.jsonl):\n${terminalText(errors)}`);
    if (interrupted) return 130;
    if (incomplete) return 1;
    const budget = parsed.maxFailed ?? noFailures;
    const over = rows.filter((row) => !withinFailureBudget(row.summary, budget));
    if (over.length === 0) return 0;
    console.error(`llmops run: ${over.map((row) => row.name).join(", ")} had more than ${describeFailureBudget(budget)} (--max-failed)`);
    return 1;
  },
};
