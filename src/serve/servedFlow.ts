/**
 * What the server needs from a flow: its interface (for /swagger.json and chat detection) and one call per
 * request. The server never touches the engine directly, so switching the engine entry (DAG today; flex and
 * prompty through the same engine) changes only `loadServedFlow`.
 */
import * as path from "node:path";
import { createFlowExecutor, loadFlow, type PythonPool } from "../flow";
import type { FlowInputType } from "../flow/types";
import type { Connection, LlmInvoker } from "../llm/types";
import type { LineError } from "../runs/bulk/types";

export interface ServedInput {
  name: string;
  type: FlowInputType;
  /** Undefined when the input is required. */
  default?: unknown;
  isChatInput: boolean;
}

export interface ServedOutput {
  name: string;
  type?: string;
  isChatOutput: boolean;
}

export interface ServedFlowOutcome {
  status: "Completed" | "Failed";
  outputs: Record<string, unknown>;
  /** `type` "InputError" means the request's inputs were missing or could not be converted (a 400). */
  error?: LineError;
}

/** A loaded, validated flow before it has connections: enough to plan and to describe the API. */
export interface FlowToServe {
  /** The flow folder's name, shown in /swagger.json and logs. */
  name: string;
  inputs: ServedInput[];
  outputs: ServedOutput[];
  /** Connections the flow's LLM nodes use: what must be resolved before it can serve. */
  connectionNames: string[];
  start(dependencies: ServedFlowDependencies): ServedFlow;
}

export interface ServedFlow extends Omit<FlowToServe, "start"> {
  run(inputs: Record<string, unknown>, signal: AbortSignal): Promise<ServedFlowOutcome>;
  close(): Promise<void>;
}

export interface ServedFlowDependencies {
  connections: Record<string, Connection>;
  llm: LlmInvoker;
  python: PythonPool;
}

/** `--flow` may name the folder or its flow file. */
export function flowFolderOf(flowPath: string): { dir: string; fileName?: string } {
  const absolute = path.resolve(flowPath);
  if (/\.ya?ml$/i.test(absolute)) return { dir: path.dirname(absolute), fileName: path.basename(absolute) };
  return { dir: absolute };
}

/** Loads and validates the flow with its default variants: what a deployment serves. */
export function loadFlowToServe(flowPath: string): FlowToServe {
  const { dir, fileName } = flowFolderOf(flowPath);
  const flow = loadFlow(dir, fileName === undefined ? {} : { fileName });
  const aggregationNodes = new Set(flow.nodes.filter((node) => node.aggregation).map((node) => node.name));
  const description = {
    name: path.basename(flow.dir),
    inputs: Object.values(flow.inputs).map((input) => ({
      name: input.name,
      type: input.type,
      ...(input.default !== undefined ? { default: input.default } : {}),
      isChatInput: input.isChatInput,
    })),
    outputs: Object.values(flow.outputs)
      // Outputs of aggregation nodes exist once per batch, never per request.
      .filter((output) => output.source.kind !== "node" || !aggregationNodes.has(output.source.node))
      .map((output) => ({ name: output.name, ...(output.type !== undefined ? { type: output.type } : {}), isChatOutput: output.isChatOutput })),
    connectionNames: [...new Set(flow.nodes.flatMap((node) => (node.type === "llm" && node.connection ? [node.connection] : [])))],
  };
  return {
    ...description,
    start(dependencies) {
      const executor = createFlowExecutor({ flow, connections: dependencies.connections, llm: dependencies.llm, python: dependencies.python });
      let lineNumber = 0;
      return {
        ...description,
        async run(inputs, signal) {
          const outcome = await executor.runLine(inputs, { lineNumber: lineNumber++, signal });
          return { status: outcome.status, outputs: outcome.outputs, ...(outcome.error ? { error: outcome.error } : {}) };
        },
        close: async () => executor.close?.(),
      };
    },
  };
}
