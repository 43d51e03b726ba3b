/**
 * `llmops evaluate`: pre-deployment (the flow's variants run locally), post-deployment (the stack's endpoint,
 * deployments and Web App, or explicit URLs) and post-production (a request log) evaluation with gates.
 * Exit codes: 0 every gate passed, 1 a gate failed (smoke tests and regressions included), 2 a user error,
 * 130 interrupted. Reports are written whenever the evaluation finished, also when gates fail.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Interrupted, reportLocations, runEvaluation, type EvaluationOptions, type EvaluationPhase } from "../../evaluation/phases";
import { findProjectRoot } from "../../core/projectRoot";
import { parseCommandOptions, type CommandOptions } from "../commandOptions";
import { readStackExperiment, useCaseExperiment } from "../../config/stackConfigFile";
import { applyUseCaseEnvironment } from "../useCaseEnvironment";
import { downloadExperimentDataAssets } from "../dataAssetDownloads";
import { renderTextSummary } from "../../evaluation/report/textSummary";
import { terminalText } from "../terminalText";
import type { Command } from "../command";
import { whileInterruptible } from "../interrupt";
import { createProgressReporter } from "../progress";
import { azureMlOptionSpecs, azureMlUsage, parseAzureMlOptions, printRecordedRequests } from "../azureMlOptions";
import type { AzureMlRequest } from "../../runs/azureml/connect";
import { runRuns } from "../../runs/runFlowRuns";

const usage = `usage: llmops evaluate --phase pre  [--env <name>] [--experiment <file> | --use-case <folder> | --stack <name>]
                       [--variants <selection>]
                       [--baseline <metrics.json|dir>] [--concurrency <n>] --out <dir>
       llmops evaluate --phase post --stack <name> [--stack-outputs <file.json>] [--target <url>]...
                       [--baseline <metrics.json|dir>] [--experiment <file>] --out <dir>
       llmops evaluate --phase post --stack <name> --production-log <file.jsonl> --out <dir>

Evaluates the flow against the experiment's evaluators and gates and writes report.html, report.md,
metrics.json, results.csv and junit.xml to <out>/<run id>/ (<out>/report.md and <out>/metrics.json are the newest).

phases:
  pre          every experiment dataset x variant run locally, every evaluator; gates decide on the default
               variant (the deployed one), the other variants are shown; regression against --baseline
  post         smoke test (TEST_FILE_PATH of deployment_config.json) of the endpoint, each deployment and the Web
               App from the stack's outputs, then the evaluation datasets against each; A/B table prior vs
               current; with a pre-deployment --baseline, the deployed flow must not drop beyond regression.max_drop
  production   (or post with --production-log) the logged rows scored by the experiment's production: flow

options:
  --phase <pre|post|production>  which evaluation (required)
  --out <dir>                    report folder (required)
  --experiment <file>            experiment.yaml (default: the stack's, else flows/experiment.yaml in the project)
  --use-case <folder>            a use case in the template's layout: its experiment.yaml
  --env <name>                   environment overlay experiment.<name>.yaml (pre); post uses the stack's
  --variants <selection>         pre: all (default) | default | product | <node>.<variant>[,...]
  --baseline <file|dir>          a previous metrics.json, or the --out folder of a previous evaluation
  --concurrency <n>              lines in flight per run (default 16)
  --stack <name>                 the stack (Pulumi.<name>.yaml): its experiment and environment; post/production
                                 also its deployments and outputs
  --stack-outputs <file>         post: JSON of \`pulumi stack output --json\` instead of running pulumi
  --target <url>                 post: evaluate this scoring URL instead of the stack's (repeatable);
                                 LLMOPS_ENDPOINT_KEY is sent as its key when set
  --config <file>                deployment_config.json instead of the stack's llmops:deploymentConfigPath
  --timeout <seconds>            post: per-request timeout of scoring calls (default 90)
  --production-log <file>        rows a deployment logged (inputs + outputs) for the production phase

pre on Azure ML (see README, "Running at scale"):
${azureMlUsage}

auth (post): Key endpoints use LLMOPS_ENDPOINT_KEY_<ENDPOINT> (or LLMOPS_ENDPOINT_KEY on a one-endpoint stack),
else the key listed through Azure Resource Manager;
AADToken endpoints an Entra ID token (DefaultAzureCredential). Keys are never printed or reported.
exit codes: 0 gates passed, 1 a gate failed, 2 usage or configuration error, 130 interrupted`;

export interface EvaluateArguments {
  phase: EvaluationPhase;
  out: string;
  experiment?: string;
  useCase?: string;
  env?: string;
  variants?: string;
  baseline?: string;
  concurrency?: number;
  stack?: string;
  stackOutputs?: string;
  targets: string[];
  config?: string;
  timeoutMs?: number;
  productionLog?: string;
  azureml?: AzureMlRequest;
}

const phases: readonly EvaluationPhase[] = ["pre", "post", "production"];

export function parseEvaluateArguments(args: string[]): EvaluateArguments {
  const options = parseCommandOptions(
    args,
    {
      phase: { type: "string" },
      out: { type: "string" },
      experiment: { type: "string" },
      "use-case": { type: "string" },
      env: { type: "string" },
      variants: { type: "string" },
      baseline: { type: "string" },
      concurrency: { type: "string" },
      stack: { type: "string" },
      "stack-outputs": { type: "string" },
      target: { type: "string", multiple: true },
      config: { type: "string" },
      timeout: { type: "string" },
      "production-log": { type: "string" },
      ...azureMlOptionSpecs,
    },
    usage,
  );
  const { text, list, given: wasGiven, positiveInteger } = options;
  // Annotated so TypeScript narrows after a call, as it does for a declared function.
  const fail: CommandOptions["fail"] = options.fail;
  const phaseText = text("phase");
  if (phaseText === undefined) fail("--phase is required (pre, post or production)");
  if (!phases.includes(phaseText as EvaluationPhase)) fail(`--phase ${phaseText}: expected pre, post or production`);
  const out = text("out");
  if (out === undefined) fail("--out is required");
  const targets = list("target");
  const productionLog = text("production-log");
  // `--phase post --production-log` is the production phase, as CI calls it.
  const phase: EvaluationPhase = phaseText === "post" && productionLog !== undefined ? "production" : (phaseText as EvaluationPhase);
  const parsed: EvaluateArguments = { phase, out, targets };
  const experiment = text("experiment");
  const env = text("env");
  const variants = text("variants");
  const baseline = text("baseline");
  const stack = text("stack");
  const stackOutputs = text("stack-outputs");
  const config = text("config");
  if (experiment !== undefined) parsed.experiment = experiment;
  const useCase = text("use-case");
  if (useCase !== undefined) {
    if (experiment !== undefined) fail("give --experiment or --use-case, not both: a use case names its experiment");
    parsed.useCase = useCase;
  }
  if (env !== undefined) parsed.env = env;
  if (variants !== undefined) parsed.variants = variants;
  if (baseline !== undefined) parsed.baseline = baseline;
  if (stack !== undefined) parsed.stack = stack;
  if (stackOutputs !== undefined) parsed.stackOutputs = stackOutputs;
  if (config !== undefined) parsed.config = config;
  if (productionLog !== undefined) parsed.productionLog = productionLog;
  const concurrency = positiveInteger("concurrency");
  if (concurrency !== undefined) parsed.concurrency = concurrency;
  const timeout = text("timeout");
  if (timeout !== undefined) {
    const seconds = Number(timeout);
    if (!/^[0-9]+(\.[0-9]+)?$/.test(timeout) || !(seconds > 0)) fail(`--timeout: expected seconds > 0, found '${timeout}'`);
    parsed.timeoutMs = Math.round(seconds * 1000);
  }

  const notFor = (flags: string[], why: string): void => {
    const given = flags.filter((flag) => (flag === "target" ? targets.length > 0 : wasGiven(flag)));
    if (given.length > 0) fail(`--${given.join(", --")} ${given.length > 1 ? "do" : "does"} not apply to ${why}`);
  };
  if (phase === "pre") {
    const azureml = parseAzureMlOptions(options, process.cwd());
    if (azureml !== undefined) parsed.azureml = azureml;
    notFor(["stack-outputs", "target", "timeout", "config"], "the pre-deployment phase (it runs the flow locally)");
  } else if (options.given("on")) {
    fail("--on applies to the pre-deployment phase");
  } else if (phase === "post") {
    if (parsed.stack === undefined) fail("--phase post needs --stack <name> (its config names the smoke-test request and auth mode)");
    notFor(["variants"], "the post-deployment phase (deployments serve the default variant)");
    if (targets.length > 0 && parsed.stackOutputs !== undefined) fail("give --target or --stack-outputs, not both: --target replaces the stack's targets");
  } else {
    notFor(["variants", "stack-outputs", "target", "timeout"], "the production phase (it calls no endpoint)");
  }
  return parsed;
}

export function evaluationOptions(parsed: EvaluateArguments, cwd: string, environment: Record<string, string | undefined>): EvaluationOptions {
  const projectRoot = findProjectRoot(cwd);
  // The experiment: given, the use case's, the stack's (its llmops:useCase or experimentPath), or the flat default.
  const fromStack = parsed.stack !== undefined && parsed.experiment === undefined && parsed.useCase === undefined && projectRoot !== undefined
    ? readStackExperiment(projectRoot, parsed.stack, environment)
    : undefined;
  const experiment =
    parsed.experiment !== undefined
      ? path.resolve(cwd, parsed.experiment)
      : parsed.useCase !== undefined
        ? useCaseExperiment(path.resolve(cwd, parsed.useCase))
        : (fromStack?.experiment ?? path.join(projectRoot ?? cwd, "flows", "experiment.yaml"));
  const options: EvaluationOptions = {
    phase: parsed.phase,
    workingDirectory: cwd,
    out: path.resolve(cwd, parsed.out),
    experiment,
    targets: parsed.targets,
    environment,
    progress: (label) => createProgressReporter({ label }),
    note: (message) => console.error(`llmops evaluate: ${terminalText(message)}`),
  };
  if (projectRoot !== undefined) options.projectRoot = projectRoot;
  if (parsed.config !== undefined) options.deploymentConfig = path.resolve(cwd, parsed.config);
  if (parsed.productionLog !== undefined) options.productionLog = path.resolve(cwd, parsed.productionLog);
  if (parsed.baseline !== undefined) options.baseline = path.resolve(cwd, parsed.baseline);
  if (parsed.stackOutputs !== undefined) options.stackOutputs = path.resolve(cwd, parsed.stackOutputs);
  if (parsed.env !== undefined) {
    options.env = parsed.env;
    options.envTyped = true;
  }
  else if (parsed.phase === "pre" && fromStack !== undefined) options.env = fromStack.environment;
  // Pre-deployment evaluation reads the stack for its experiment and environment only.
  if (parsed.stack !== undefined && parsed.phase !== "pre") options.stack = parsed.stack;
  if (parsed.variants !== undefined) options.variants = parsed.variants;
  if (parsed.concurrency !== undefined) options.concurrency = parsed.concurrency;
  if (parsed.timeoutMs !== undefined) options.timeoutMs = parsed.timeoutMs;
  if (parsed.azureml !== undefined) options.azureml = parsed.azureml;
  return options;
}

export const evaluateCommand: Command = {
  summary: "evaluate the flow before deployment, a deployed stack, or a production log, with gates",
  usage,
  async run(args) {
    const parsed = parseEvaluateArguments(args);
    if (parsed.azureml?.dryRun) {
      // The requests of the pre phase are those of its flow runs: every dataset x selected variant.
      const { requests } = await runRuns({
        out: path.resolve(parsed.out, "dry-run"),
        experiment: evaluationOptions(parsed, process.cwd(), process.env).experiment,
        ...(parsed.env !== undefined ? { env: parsed.env } : {}),
        variants: parsed.variants ?? "all",
        datasets: [],
        mappings: {},
        resume: false,
        azureml: parsed.azureml,
      }, { environment: process.env, workingDirectory: process.cwd(), note: (message) => console.error(`llmops evaluate: ${terminalText(message)}`) });
      printRecordedRequests(requests ?? [], args.includes("--json"));
      return 0;
    }
    let result;
    try {
      const options = evaluationOptions(parsed, process.cwd(), process.env);
      applyUseCaseEnvironment(options.experiment, options.note);
      const fromStack = parsed.stack !== undefined && options.projectRoot !== undefined ? readStackExperiment(options.projectRoot, parsed.stack, process.env) : undefined;
      await downloadExperimentDataAssets(options.experiment, options.env ?? fromStack?.environment, process.env, fromStack?.workspace, options.note);
      result = await whileInterruptible(
        () => options.note("stopping; finished lines are kept, --resume completes the runs"),
        (signal) => runEvaluation({ ...options, signal }),
      );
    } catch (err) {
      if (err instanceof Interrupted) {
        console.error(`llmops evaluate: ${err.message}`);
        return 130;
      }
      throw err;
    }
    // A terminal gets plain text; a pipe (a CI step summary) gets report.md as before.
    console.log(process.stdout.isTTY ? renderTextSummary(result.data) : await fs.promises.readFile(result.reports.written.files["report.md"], "utf8"));
    console.log(reportLocations(result.reports, process.cwd()));
    return result.reports.passed ? 0 : 1;
  },
};
