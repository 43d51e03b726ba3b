/**
 * Post-deployment evaluation: smoke-test every target (the endpoint as clients call it, each deployment, the Web
 * App), bulk-run the experiment's evaluation datasets against each target that answered (a scoring target is a
 * LineExecutor like a local flow), run the evaluators, then gates, the A/B table (prior vs current deployment),
 * and the comparison with the pre-deployment run of the served variant (or a previous post run).
 */
import * as path from "node:path";
import { runBulk } from "../../runs/bulk";
import {
  abComparison,
  baselineComparison,
  buildMetricsEntries,
  buildReportLines,
  createScoringTarget,
  parseGates,
  smokeGateResult,
  smokeTest,
  type ComparisonTable,
  type EvaluatedRun,
  type MetricsFile,
  type GateResult,
  type MetricsEntry,
  type ReportData,
  type ScoringAuth,
  type ScoringTargetOptions,
  type SmokeTestResult,
} from "..";
import type { Experiment } from "../../config/experiment";
import { inputNames, outputNames, readFlowInterface } from "../../flow/flowFolder";
import { readTextFile } from "../../core/files";
import { UserError } from "../../core/userError";
import { deployedVsPre } from "./deployedVsPre";
import { endpointAuth, explicitAuth, type AuthSources } from "./endpointAuth";
import { pairingsFor } from "./evaluatorRuns";
import { regressionResults, thresholdResults } from "./gatePolicy";
import { forPeople } from "./comparisonRows";
import { abPairs, explicitTargets, stackTargets, type PostTarget } from "./postTargets";
import { runDirectorySegment } from "./runNames";
import { readRunLines } from "./runLines";
import { defaultVariantText, EvaluationSession } from "./session";
import type { StackDeployment } from "./stackDeployment";
import type { DeployedOutputs } from "./stackOutputs";

export interface PostPhaseInput {
  experiment: Experiment;
  stack: StackDeployment;
  /** Undefined when explicit targets are given. */
  outputs?: DeployedOutputs;
  targetUrls: string[];
  baseline?: MetricsFile;
  /** Per-attempt timeout of scoring calls; default the scoring target's (90 s). */
  timeoutMs?: number;
  auth: AuthSources;
}

async function readRequest(file: string): Promise<Record<string, unknown>> {
  const text = readTextFile(file, { missing: () => new UserError(`smoke-test request ${file} (TEST_FILE_PATH): not found`) });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UserError(`smoke-test request ${file} (TEST_FILE_PATH): not valid JSON (${(err as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new UserError(`smoke-test request ${file} (TEST_FILE_PATH): expected a JSON object of flow inputs`);
  return value as Record<string, unknown>;
}

/** Datasets some evaluator scores (all of them when the experiment has no evaluators): what a deployment is evaluated on. */
export function evaluationDatasets(experiment: Experiment): Experiment["datasets"] {
  if (experiment.evaluators.length === 0) return experiment.datasets;
  return experiment.datasets.filter((dataset) => pairingsFor(experiment.evaluators, dataset.name).length > 0);
}

function gatingSummary(targets: readonly PostTarget[]): string {
  const gating = targets.filter((t) => t.gating && t.evaluate).map((t) => t.name);
  const shown = targets.filter((t) => !t.gating && t.evaluate).map((t) => t.name);
  return `gates on ${gating.join(", ") || "nothing"}${shown.length > 0 ? `; ${shown.join(", ")} shown for comparison` : ""}`;
}

export async function runPostPhase(session: EvaluationSession, input: PostPhaseInput): Promise<ReportData> {
  const { experiment, stack } = input;
  const flow = readFlowInterface(experiment.flow, experiment.file, { environment: session.options.environment });
  const variant = defaultVariantText(experiment.flow);
  const baseline = input.baseline;
  if (baseline?.phase === "production") throw new UserError(`--baseline: ${baseline.run_id} is a production evaluation; give a pre-deployment or an earlier post-deployment metrics.json`);
  const gates = parseGates(experiment.gates, `${path.basename(experiment.file)}: gates`);

  let targets: PostTarget[];
  if (input.targetUrls.length > 0) {
    const testFile = stack.endpoints[0]?.testFile ?? stack.webApp?.testFile;
    if (testFile === undefined) throw new UserError(`stack ${stack.stack}: no TEST_FILE_PATH in the deployment config for '${stack.environment}'`);
    targets = explicitTargets(input.targetUrls, testFile);
  } else {
    if (input.outputs === undefined) throw new Error("stack outputs are required without --target");
    targets = stackTargets(input.outputs, stack);
  }

  // Resolved once per endpoint: a key read from ARM, or one Entra ID credential that caches its token.
  const endpointScoringAuth = new Map<string, Promise<ScoringAuth>>();
  const authOf = async (target: PostTarget): Promise<ScoringAuth> => {
    if (target.auth === "none") return { kind: "none" };
    if (target.auth === "explicit") return explicitAuth(input.auth.environment);
    if (target.target.kind !== "deployment" && target.target.kind !== "url") return { kind: "none" };
    const endpointName = target.target.kind === "deployment" ? target.target.endpoint : target.target.name;
    let auth = endpointScoringAuth.get(endpointName);
    if (auth === undefined) {
      auth = endpointAuth(stack, endpointName, input.auth);
      endpointScoringAuth.set(endpointName, auth);
    }
    return auth;
  };
  const optionsOf = async (target: PostTarget): Promise<ScoringTargetOptions> => ({
    name: target.name,
    url: target.url,
    auth: await authOf(target),
    ...(target.deployment !== undefined ? { deployment: target.deployment } : {}),
    ...(input.timeoutMs !== undefined ? { retry: { timeoutMs: input.timeoutMs } } : {}),
  });

  // Smoke tests first: a target that does not answer is not bulk-evaluated (every line would fail, slowly).
  const smoke = new Map<PostTarget, SmokeTestResult>();
  for (const target of targets) {
    const result = await smokeTest(await optionsOf(target), await readRequest(target.testFile), outputNames(flow));
    smoke.set(target, result);
    session.options.note(`smoke test ${target.name}: ${result.ok ? "passed" : `FAILED (${result.error ?? `HTTP ${result.status}`})`}`);
  }

  const runs: EvaluatedRun[] = [];
  const entryGating = new Map<string, boolean>();
  for (const target of targets.filter((t) => t.evaluate && smoke.get(t)?.ok === true)) {
    for (const dataset of evaluationDatasets(experiment)) {
      const name = `${runDirectorySegment(dataset.name)}__${runDirectorySegment(target.name)}`;
      const runDir = path.join(session.runsDir, name);
      const executor = createScoringTarget(await optionsOf(target));
      await runBulk({
        data: dataset.source,
        executor,
        runDir,
        runName: name,
        labels: { target: target.name },
        ...(Object.keys(dataset.mappings).length > 0 ? { columnMapping: dataset.mappings } : {}),
        inputNames: inputNames(flow),
        ...(session.options.concurrency !== undefined ? { concurrency: session.options.concurrency } : {}),
        ...(session.options.progress ? { progress: session.progress(name) } : {}),
      });
      const lines = await readRunLines(runDir);
      const evaluators = await session.evaluators.evaluate({ dataset: dataset.name, runDir, lines, label: name }, experiment.evaluators, path.join(runDir, "evaluators"));
      const run: EvaluatedRun = { dataset: dataset.name, variant, target: target.target, lines: await session.rows.join(lines, dataset.source), evaluators };
      runs.push(run);
      for (const entry of buildMetricsEntries([run])) entryGating.set(entry.id, target.gating);
    }
  }

  const entries = buildMetricsEntries(runs);
  const gating = (entry: MetricsEntry): boolean => entryGating.get(entry.id) === true;
  const why = (entry: MetricsEntry): string => `${entry.label} serves the previous build`;
  const results: GateResult[] = [...targets.map((target) => smokeGateResult(smoke.get(target)!)), ...thresholdResults(gates, entries, gating, why)];
  const comparisons: ComparisonTable[] = [];
  const draft = session.metricsFile("post", runs);

  for (const pair of abPairs(targets)) comparisons.push(forPeople(gates)(abComparison(draft, pair.endpoint, pair.prior, pair.current)));
  if (baseline?.phase === "pre") {
    const versus = deployedVsPre(baseline, draft, entries.filter(gating), experiment.regression);
    results.push(...versus.gates);
    comparisons.push(...versus.tables.map(forPeople(gates)));
  } else if (baseline?.phase === "post") {
    if (experiment.regression !== undefined) results.push(...regressionResults(baseline, draft, entries, experiment.regression, gating, why));
    comparisons.push(...baselineComparison(baseline, draft).map(forPeople(gates)));
  }

  const metrics = session.metricsFile("post", runs, results);
  return {
    title: `Post-deployment evaluation of stack ${stack.stack} (${gatingSummary(targets)})`,
    metrics,
    lines: buildReportLines(runs),
    comparisons,
  };
}
