/**
 * The one entry to run any flow kind: `openFlow(path)` reads the folder (flowFolder.ts), builds the executor for
 * its kind (DAG, flex, prompty) and returns an object that runs a line, aggregates completed lines and describes
 * its interface. Used by `llmops run`/`evaluate`, `llmops chat` and serving.
 */
import type { Connection, LlmInvoker } from "../llm/types";
import type { Environment } from "../llm/connections";
import { UserError } from "../core/userError";
import { convertInterfaceInputs, InputError } from "./convertInputs";
import { createFlowExecutor, type FlowExecutor, type FlowLineOutcome, type StreamingLineContext } from "./executor";
import { createFlexExecutor } from "./flexExecutor";
import { readFlowInterface, type FlowInterface } from "./flowFolder";
import { loadFlow } from "./loadFlow";
import { createPromptyRunner, PromptyError } from "./prompty";
import { createPythonPool, type PythonPool } from "./pythonPool";
import { emptyUsage } from "./usage";
import { resolveVariants, variantLabelText } from "./variants";
import { isRecord } from "../core/values";

export interface OpenFlowOptions {
  connections: Record<string, Connection>;
  llm: LlmInvoker;
  /** Shared workers (the caller closes them); default: the flow's own pool, ended by close(). */
  python?: PythonPool;
  /** DAG flows: `default` or `<node>.<variant_id>[,...]`. */
  variant?: string;
  /** Flex flows: init arguments over the flow's own (yaml defaults, init.json). */
  init?: Record<string, unknown>;
  /**
   * The caller's environment: where `${env:VAR}` in model configurations is read from, and where Python runs
   * (its `PYTHON` and PATH: the flex signature reader, the flow's own workers).
   */
  environment: Environment;
  nodeConcurrency?: number;
  /** Where the flow was named, for errors (`--flow`, `experiment.yaml: $.flow`). */
  referencedFrom?: string;
}

export interface RunnableFlow extends FlowExecutor {
  /** Inputs, outputs, init and chat roles: what swagger, `llmops chat` and mappings need. */
  readonly interface: FlowInterface;
  /** The DAG variant it runs (`default` or `node.variant`); undefined for flex and prompty. */
  readonly variant?: string;
  runLine(inputs: Record<string, unknown>, context: StreamingLineContext): Promise<FlowLineOutcome>;
  close(): Promise<void>;
}

/** A prompty file run as a flow: its inputs in, `output` (or the JSON answer's keys) out. */
function promptyExecutor(flow: FlowInterface, options: OpenFlowOptions): FlowExecutor {
  const prompty = createPromptyRunner({ connections: options.connections, llm: options.llm, environment: options.environment });
  return {
    async runLine(rawInputs, context): Promise<FlowLineOutcome> {
      const usage = emptyUsage();
      const started = performance.now();
      try {
        // A line without inputs takes the prompty's sample (the runner applies it), as prompt flow does.
        const inputs = Object.keys(rawInputs).length === 0 ? {} : convertInterfaceInputs(flow.inputs, rawInputs);
        const result = await prompty.run({ source: flow.file, inputs }, context.signal);
        const outputs = isRecord(result.output) ? result.output : { output: result.output };
        return { status: "Completed", outputs, usage: result.usage, nodeRuns: [{ node: flow.file, status: "Completed", durationMs: performance.now() - started, usage: result.usage }] };
      } catch (err) {
        const type = err instanceof InputError ? "InputError" : err instanceof PromptyError ? "PromptyError" : err instanceof Error && err.name !== "Error" ? err.name : "NodeError";
        const message = err instanceof Error ? err.message : String(err);
        return { status: "Failed", outputs: {}, error: { type, message }, usage, nodeRuns: [{ node: flow.file, status: "Failed", durationMs: performance.now() - started }] };
      }
    },
    aggregates: false,
    aggregate: async () => ({ metrics: {} }),
  };
}

/** Loads any flow kind and returns its runner; a flex class is constructed here (its __init__ failing fails now). */
export async function openFlow(target: string, options: OpenFlowOptions): Promise<RunnableFlow> {
  const referencedFrom = options.referencedFrom ?? "--flow";
  const flowInterface = readFlowInterface(target, referencedFrom, { environment: options.environment });
  const ownPool = options.python === undefined;
  const python = options.python ?? createPythonPool({ environment: options.environment });
  const closePool = async (): Promise<void> => {
    if (ownPool) await python.close();
  };
  try {
    let executor: FlowExecutor;
    let variant: string | undefined;
    if (flowInterface.kind === "dag") {
      const selection = options.variant ?? "default";
      if (selection === "all" || selection === "product") throw new UserError(`${referencedFrom}: one flow runs one variant; '${selection}' selects several (use <node>.<variant_id>)`);
      const [run] = resolveVariants(loadFlow(target, referencedFrom), selection);
      variant = variantLabelText(run.label);
      executor = createFlowExecutor({
        flow: run.flow,
        connections: options.connections,
        llm: options.llm,
        python,
        ...(options.nodeConcurrency !== undefined ? { nodeConcurrency: options.nodeConcurrency } : {}),
        environment: options.environment,
      });
    } else if (flowInterface.kind === "flex") {
      executor = await createFlexExecutor({ flow: flowInterface, connections: options.connections, llm: options.llm, python, ...(options.init ? { init: options.init } : {}), environment: options.environment });
    } else {
      executor = promptyExecutor(flowInterface, options);
    }
    return {
      interface: flowInterface,
      ...(variant !== undefined ? { variant } : {}),
      ...(executor.streamedOutput !== undefined ? { streamedOutput: executor.streamedOutput } : {}),
      runLine: (inputs, context) => executor.runLine(inputs, context),
      aggregates: executor.aggregates !== false,
      aggregate: (lines) => executor.aggregate(lines),
      close: async () => {
        await executor.close?.();
        await closePool();
      },
    };
  } catch (err) {
    await closePool();
    throw err;
  }
}
