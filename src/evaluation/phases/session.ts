/**
 * What every phase shares while it runs: the run id and folders, the LLM client and Python workers the flows and
 * evaluators use, cached dataset rows, progress display and warnings. Closed once at the end of the phase.
 */
import * as path from "node:path";
import { buildMetricsFile, type EvaluatedRun, type GateResult, type MetricsFile } from "..";
import type { MetricsPhase } from "../metricsFile";
import type { BulkProgress } from "../../runs/bulk";
import { createPythonPool, loadFlow, resolveVariants, type PythonPool } from "../../flow";
import { locateFlow } from "../../flow/flowFolder";
import { createLlmInvoker } from "../../llm";
import type { Connection, LlmInvoker } from "../../llm/types";
import { variantText } from "../../runs/runPlan";
import type { RunContext } from "../../runs/runFlowRuns";
import { EvaluatorRunner } from "./evaluatorRuns";
import { DatasetRowCache } from "./runLines";

/**
 * The context the phase's flow runs get (environment, working directory, stop signal, progress, notes; the
 * environment also feeds evaluation flows' model configurations), plus the evaluation's own settings.
 */
export interface SessionOptions extends RunContext {
  runId: string;
  createdAt: Date;
  /** `--out`: reports go to `<out>/<runId>/`, bulk runs to `<out>/runs/<runId>/`. */
  out: string;
  concurrency?: number;
}

export class EvaluationSession {
  readonly llm: LlmInvoker;
  readonly python: PythonPool;
  readonly rows = new DatasetRowCache();
  readonly runsDir: string;
  readonly evaluators: EvaluatorRunner;

  constructor(
    readonly options: SessionOptions,
    connections: Record<string, Connection>,
  ) {
    this.llm = createLlmInvoker();
    this.python = createPythonPool({ environment: options.environment });
    this.runsDir = path.join(options.out, "runs", options.runId);
    this.evaluators = new EvaluatorRunner({
      llm: this.llm,
      python: this.python,
      connections,
      rows: this.rows,
      environment: options.environment,
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      progress: (label) => this.progress(label),
      warn: options.note,
    });
  }

  /**
   * This evaluation's metrics file over `runs` with the phase's gate results; without them, the draft that
   * comparisons and regression gates read before the results exist.
   */
  metricsFile(phase: MetricsPhase, runs: EvaluatedRun[], gateResults: GateResult[] = []): MetricsFile {
    return buildMetricsFile({ phase, runId: this.options.runId, createdAt: this.options.createdAt, runs, gates: [], extraGateResults: gateResults });
  }

  progress(label: string): BulkProgress | undefined {
    return this.options.progress?.(label);
  }

  async close(): Promise<void> {
    await this.python.close();
  }
}

/** `classify.zero_shot` for the sample flow: the variant deployments serve (every node at its default variant). */
export function defaultVariantText(flowDir: string): string {
  if (locateFlow(flowDir, "experiment flow").kind !== "dag") return variantText({});
  const [defaults] = resolveVariants(loadFlow(flowDir), "default");
  return variantText(defaults?.label ?? {});
}
