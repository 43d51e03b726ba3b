/**
 * Post-production evaluation: the rows a deployment logged (its inputs and outputs, e.g. from model data
 * collection) scored by the experiment's `production:` evaluation flow and checked against `production.gates`.
 * Nothing is called but that local flow: no endpoint, no standard flow.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  baselineComparison,
  buildMetricsEntries,
  buildReportLines,
  parseGates,
  type EvaluatedRun,
  type MetricsFile,
  type ReportData,
  type RunLine,
} from "..";
import type { Experiment } from "../../config/experiment";
import { inputNames, outputNames, readFlowInterface } from "../../flow/flowFolder";
import { UserError } from "../../core/userError";
import { forPeople } from "./comparisonRows";
import { thresholdResults } from "./gatePolicy";
import { runDirectorySegment } from "./runNames";
import { defaultVariantText, EvaluationSession } from "./session";

export interface ProductionPhaseInput {
  experiment: Experiment;
  /** `--production-log`, else the experiment's production.source. */
  log?: string;
  /** Names what produced the log in reports: the stack, else "production". */
  source: string;
  baseline?: MetricsFile;
}

/** A logged row as a run line: flow inputs as inputs, flow outputs as outputs, the whole row as data. */
export function loggedLine(row: Record<string, unknown>, lineNumber: number, inputs: readonly string[], outputs: readonly string[]): RunLine {
  const pick = (names: readonly string[]): Record<string, unknown> => Object.fromEntries(names.filter((name) => name in row).map((name) => [name, row[name]]));
  return { lineNumber, status: "Completed", inputs: pick(inputs), outputs: pick(outputs), data: row };
}

export async function runProductionPhase(session: EvaluationSession, input: ProductionPhaseInput): Promise<ReportData> {
  const { experiment } = input;
  const production = experiment.production;
  if (production === undefined) throw new UserError(`${experiment.file}: no production: block naming the post-production evaluation flow`);
  const log = input.log ?? production.source;
  if (log === undefined) throw new UserError(`--production-log is required: ${experiment.file} names no production.source`);
  if (!fs.statSync(log, { throwIfNoEntry: false })?.isFile()) {
    throw new UserError(input.log !== undefined ? `--production-log ${input.log}: file not found` : `${experiment.file}: production.source ${log}: file not found`);
  }
  const baseline = input.baseline;
  if (baseline !== undefined && baseline.phase !== "production") {
    throw new UserError(`--baseline: ${baseline.run_id} is a ${baseline.phase} evaluation; compare production with an earlier production evaluation`);
  }
  const gates = parseGates(production.gates, `${path.basename(experiment.file)}: production.gates`);
  const flow = readFlowInterface(experiment.flow, experiment.file, { environment: session.options.environment });
  const dataset = path.basename(log).replace(/\.jsonl?$/i, "");
  const rows = await session.rows.get(log);
  const lines = rows.map((row, index) => loggedLine(row, index, inputNames(flow), outputNames(flow)));

  // The log plays the reference run's part, so `${data.x}` mappings read the logged row.
  const runDir = path.join(session.runsDir, runDirectorySegment(dataset));
  const result = await session.evaluators.flow(
    { dataset, runDir, lines, label: dataset },
    production.name,
    production.flow,
    { source: log, mappings: production.mappings },
    path.join(runDir, "evaluators", runDirectorySegment(production.name)),
    { baseRun: false },
  );
  const run: EvaluatedRun = { dataset, variant: defaultVariantText(experiment.flow), target: { kind: "production", name: input.source }, lines, evaluators: [result] };
  const entries = buildMetricsEntries([run]);
  const results = thresholdResults(gates, entries, () => true, () => "");
  const metrics = session.metricsFile("production", [run], results);
  return {
    title: `Post-production evaluation of ${path.basename(log)} (${rows.length} logged requests)`,
    metrics,
    lines: buildReportLines([run]),
    comparisons: baseline !== undefined ? baselineComparison(baseline, metrics).map(forPeople(gates)) : [],
  };
}
