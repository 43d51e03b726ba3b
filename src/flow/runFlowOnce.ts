import type { AggregationOutcome } from "../runs/bulk/types";
import type { Connection, LlmInvoker } from "../llm/types";
import type { Environment } from "../llm/connections";
import { UserError } from "../core/userError";
import { createFlowExecutor, type FlowLineOutcome } from "./executor";
import { loadFlow } from "./loadFlow";
import { createPythonPool } from "./pythonPool";
import { resolveVariants, variantLabelText } from "./variants";

export interface RunFlowOnceDeps {
  connections: Record<string, Connection>;
  llm: LlmInvoker;
  /** `default` or `<node>.<variant_id>[,...]`: one flow, so not `all`/`product`. */
  variant?: string;
  nodeConcurrency?: number;
  signal?: AbortSignal;
  /** The caller's environment: the workers' (and `PYTHON`), and `${env:VAR}` in model configurations. */
  environment: Environment;
}

export interface FlowTestResult {
  /** e.g. `summarize.variant_1`, or `default`. */
  variant: string;
  line: FlowLineOutcome;
  /** Present when the flow has aggregation nodes: they run over this single line. */
  aggregation?: AggregationOutcome;
}

/** Like `pf flow test`: loads, validates and runs one line of a flow folder, then ends its python workers. */
export async function runFlowOnce(flowDir: string, inputs: Record<string, unknown>, deps: RunFlowOnceDeps): Promise<FlowTestResult> {
  const selection = deps.variant ?? "default";
  if (selection === "all" || selection === "product") {
    throw new UserError(`a single flow test runs one variant; '${selection}' selects several (use <node>.<variant_id>)`);
  }
  const [run] = resolveVariants(loadFlow(flowDir), selection);
  const python = createPythonPool({ size: 1, environment: deps.environment });
  try {
    const executor = createFlowExecutor({ flow: run.flow, connections: deps.connections, llm: deps.llm, python, nodeConcurrency: deps.nodeConcurrency, environment: deps.environment });
    const signal = deps.signal ?? new AbortController().signal;
    const line = await executor.runLine(inputs, { lineNumber: 0, signal });
    const hasAggregation = run.flow.nodes.some((n) => n.aggregation);
    const aggregation =
      hasAggregation && line.status === "Completed"
        ? await executor.aggregate([{ lineNumber: 0, inputs, aggregationInputs: line.aggregationInputs }])
        : undefined;
    return { variant: variantLabelText(run.label), line, ...(aggregation ? { aggregation } : {}) };
  } finally {
    await python.close();
  }
}
