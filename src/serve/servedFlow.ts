/**
 * What the server needs from a flow: its interface (for /swagger.json and chat detection) and one call per
 * request. The server never touches the engine directly: `loadFlowToServe` reads the flow's interface (no
 * connections needed, so the command can resolve them first) and `start` opens it through the engine's one entry,
 * `openFlow`, which runs DAG, flex and prompty flows alike.
 */
import * as path from "node:path";
import { readFlowInterface, type FlowInputSpec, type FlowOutputSpec } from "../flow/flowFolder";
import type { FlowKind } from "../flow/types";
import { openFlow } from "../flow/openFlow";
import type { StreamingLineContext } from "../flow/executor";
import type { PythonPool } from "../flow/pythonPool";
import type { Environment } from "../llm/connections";
import type { Connection, LlmInvoker } from "../llm/types";
import type { LineError } from "../runs/bulk/types";

export type ServedInput = Pick<FlowInputSpec, "name" | "type" | "default" | "required" | "isChatInput" | "isChatHistory">;
export type ServedOutput = FlowOutputSpec;

export interface ServedFlowOutcome {
  status: "Completed" | "Failed";
  outputs: Record<string, unknown>;
  /** `type` "InputError" means the request's inputs were missing or could not be converted (a 400). */
  error?: LineError;
}

/** A flow's interface before it has connections: enough to plan, describe the API and resolve connections. */
export interface FlowToServe {
  /** The flow folder's name, shown in /swagger.json and logs. */
  name: string;
  kind: FlowKind;
  inputs: ServedInput[];
  outputs: ServedOutput[];
  /** Connections the flow uses: what must be resolved before it can serve. */
  connectionNames: string[];
  start(dependencies: ServedFlowDependencies): Promise<ServedFlow>;
}

/** A request that takes the answer as it is produced: the engine's streaming callbacks (see StreamingLineContext). */
export type AnswerStreaming = Pick<StreamingLineContext, "onChunk" | "onStreamStart">;

export interface ServedFlow extends Omit<FlowToServe, "start"> {
  /** A DAG output that streams token by token (the chat output, or a flow's only output an LLM node feeds directly). */
  streamedOutput?: string;
  /** With `streaming`, a DAG chat flow's answer and a flex generator's chunks come as they are produced. */
  run(inputs: Record<string, unknown>, signal: AbortSignal, streaming?: AnswerStreaming): Promise<ServedFlowOutcome>;
  close(): Promise<void>;
}

export interface ServedFlowDependencies {
  connections: Record<string, Connection>;
  llm: LlmInvoker;
  python: PythonPool;
  /** Where `${env:VAR}` in a flex or prompty model configuration is read from. */
  environment: Environment;
}

/** `--flow`: a folder, flow.dag.yaml, flow.flex.yaml or a .prompty file; `environment` runs the flex signature reader. */
export function loadFlowToServe(flowPath: string, environment: Environment): FlowToServe {
  const flowInterface = readFlowInterface(flowPath, "--flow", { environment });
  const description = {
    kind: flowInterface.kind,
    name: flowInterface.kind === "prompty" ? path.basename(flowInterface.file).replace(/\.prompty$/i, "") : path.basename(flowInterface.dir),
    inputs: flowInterface.inputs.map(({ name, type, default: value, required, isChatInput, isChatHistory }) => ({
      name,
      type,
      ...(value !== undefined ? { default: value } : {}),
      required,
      isChatInput,
      isChatHistory,
    })),
    outputs: flowInterface.outputs,
    connectionNames: Object.keys(flowInterface.connections),
  };
  return {
    ...description,
    async start(dependencies) {
      const runnable = await openFlow(flowPath, {
        connections: dependencies.connections,
        llm: dependencies.llm,
        python: dependencies.python,
        environment: dependencies.environment,
        referencedFrom: "--flow",
      });
      let lineNumber = 0;
      return {
        ...description,
        ...(runnable.streamedOutput !== undefined ? { streamedOutput: runnable.streamedOutput } : {}),
        async run(inputs, signal, streaming) {
          const outcome = await runnable.runLine(inputs, { lineNumber: lineNumber++, signal, ...streaming });
          return { status: outcome.status, outputs: outcome.outputs, ...(outcome.error ? { error: outcome.error } : {}) };
        },
        close: () => runnable.close(),
      };
    },
  };
}
