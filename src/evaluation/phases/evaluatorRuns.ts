/**
 * Running an experiment's evaluators over one run of the standard flow (local, or a deployed target):
 * - builtin evaluators score the run's lines joined with their dataset's rows (evaluateLines);
 * - evaluation flows are bulk-run over their dataset joined with the run (`${run.outputs.x}` reads the run
 *   directory as the base run), exactly like `pf run --run <base>`, and their per-line outputs and logged
 *   metrics become an EvaluatorResult (flowEvaluatorResult).
 * Each evaluation flow run writes its own directory under `evaluatorsDir`, named after the evaluator, so several
 * evaluators and datasets never share files.
 */
import * as path from "node:path";
import { runBulk, type BulkProgress } from "../../runs/bulk";
import { createBuiltinEvaluator, evaluateLines, flowEvaluatorResult, type EvaluatorResult, type RunLine } from "..";
import type { EvaluatorDataset, ExperimentEvaluator } from "../../config/experiment";
import type { PythonPool } from "../../flow";
import { inputNames } from "../../flow/flowFolder";
import { openFlow } from "../../flow/openFlow";
import { connectionSecretValues, type Environment } from "../../llm/connections";
import type { Connection, LlmInvoker } from "../../llm/types";
import { runDirectorySegment } from "./runNames";
import { readRunLines, type DatasetRowCache } from "./runLines";

export interface EvaluatorResources {
  llm: LlmInvoker;
  python: PythonPool;
  /** Resolved connections (secret values): for evaluation flows' LLM nodes and the LLM judge. */
  connections: Record<string, Connection>;
  rows: DatasetRowCache;
  /** Where `${env:VAR}` in evaluation flows' model configurations is read from, and where their Python runs. */
  environment: Environment;
  concurrency?: number;
  progress?: (label: string) => BulkProgress | undefined;
  /** Non-fatal problems (an evaluation flow's aggregation failed): shown to the user, not thrown. */
  warn: (message: string) => void;
}

/** A run of the standard flow whose lines the evaluators score. */
export interface ReferenceRun {
  /** Experiment dataset the run read: evaluator datasets whose `reference` is this name score it. */
  dataset: string;
  /** Holds outputs.jsonl; evaluation flows read it as their base run. */
  runDir: string;
  /** The run's lines, not joined with any dataset. */
  lines: RunLine[];
  /** For progress labels and messages, e.g. "ticket_eval__classify.few_shot". */
  label: string;
}

/** The (evaluator, dataset) pairings that score runs of `dataset`, in experiment order. */
export function pairingsFor(evaluators: readonly ExperimentEvaluator[], dataset: string): { evaluator: ExperimentEvaluator; pairing: EvaluatorDataset }[] {
  return evaluators.flatMap((evaluator) => evaluator.datasets.filter((pairing) => pairing.reference === dataset).map((pairing) => ({ evaluator, pairing })));
}

export class EvaluatorRunner {
  constructor(private readonly resources: EvaluatorResources) {}

  /** Every evaluator pairing of the run's dataset, in experiment order; `evaluatorsDir` gets one folder per flow evaluator. */
  async evaluate(run: ReferenceRun, evaluators: readonly ExperimentEvaluator[], evaluatorsDir: string): Promise<EvaluatorResult[]> {
    const results: EvaluatorResult[] = [];
    for (const { evaluator, pairing } of pairingsFor(evaluators, run.dataset)) {
      if (evaluator.kind === "builtin") {
        results.push(await this.builtin(run, evaluator, pairing));
      } else {
        results.push(await this.flow(run, evaluator.name, evaluator.flow, pairing, path.join(evaluatorsDir, runDirectorySegment(evaluator.name))));
      }
    }
    return results;
  }

  private async builtin(run: ReferenceRun, evaluator: ExperimentEvaluator & { kind: "builtin" }, pairing: EvaluatorDataset): Promise<EvaluatorResult> {
    const scorer = createBuiltinEvaluator(
      { name: evaluator.name, builtin: evaluator.builtin, mappings: pairing.mappings, params: evaluator.params },
      { llm: this.resources.llm, connections: this.resources.connections },
    );
    const lines = await this.resources.rows.join(run.lines, pairing.source);
    return evaluateLines(scorer, lines, this.resources.concurrency !== undefined ? { concurrency: this.resources.concurrency } : {});
  }

  /**
   * Bulk-runs an evaluation flow over `pairing.source` joined with the run (`baseRun: false`: the data alone, when
   * there is no run directory, as for a production log). Lines whose reference line failed are left out of the
   * result: that failure already counts in the run's error_rate, as for builtin evaluators.
   */
  async flow(
    run: ReferenceRun,
    name: string,
    flowDir: string,
    pairing: Pick<EvaluatorDataset, "source" | "mappings">,
    runDir: string,
    options: { baseRun: boolean } = { baseRun: true },
  ): Promise<EvaluatorResult> {
    const executor = await openFlow(flowDir, {
      connections: this.resources.connections,
      llm: this.resources.llm,
      python: this.resources.python,
      referencedFrom: `evaluator '${name}'`,
      environment: this.resources.environment,
    });
    let summary;
    try {
      summary = await runBulk({
        data: pairing.source,
        executor,
        runDir,
        runName: `${run.label}/${name}`,
        ...(Object.keys(pairing.mappings).length > 0 ? { columnMapping: pairing.mappings } : {}),
        inputNames: inputNames(executor.interface),
        ...(options.baseRun ? { baseRunDir: run.runDir } : {}),
        ...(this.resources.concurrency !== undefined ? { concurrency: this.resources.concurrency } : {}),
        ...(this.resources.progress ? { progress: this.resources.progress(`${run.label} ${name}`) } : {}),
        secrets: connectionSecretValues(this.resources.connections),
      });
    } finally {
      await executor.close?.();
    }
    if (summary.aggregation_error !== undefined) {
      this.resources.warn(`evaluator '${name}' on ${run.label}: the aggregation failed (${summary.aggregation_error}); its metrics are missing`);
    }
    const failedReference = new Set(run.lines.filter((line) => line.status === "Failed").map((line) => line.lineNumber));
    const lines = (await readRunLines(runDir)).filter((line) => !failedReference.has(line.lineNumber));
    return flowEvaluatorResult(name, lines, summary.metrics);
  }
}
