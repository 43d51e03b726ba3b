/**
 * Flex flows (`flow.flex.yaml`, `entry: module:function` or `module:Class`) as a LineExecutor. The entry runs in
 * the python workers; a class is constructed once per worker for the run with its init arguments (yaml `init:`
 * defaults, then `init.json`, then the caller's `--init`), `__call__` runs per line and `__aggregate__` once over
 * the completed lines' results, its dict becoming the run's metrics. Prompty calls the code makes come back to
 * the engine (pythonRequests.ts), so they share the run's invoker and count in the line's usage.
 */
import { randomUUID } from "node:crypto";
import type { Connection, LlmInvoker } from "../llm/types";
import type { Environment } from "../llm/connections";
import type { AggregationOutcome } from "../runs/bulk/types";
import { UserError } from "../core/userError";
import { convertInterfaceInputs, InputError } from "./convertInputs";
import type { FlowExecutor, FlowLineOutcome, StreamingLineContext } from "./executor";
import type { FlowInterface } from "./flowFolder";
import { createPromptyRunner } from "./prompty";
import type { ConnectionPayload, FlexTarget, PythonCall, PythonCallResult, PythonPool } from "./pythonPool";
import { connectionPayload, pythonRequestHandler } from "./pythonRequests";
import { emptyUsage } from "./usage";
import { isRecord } from "../core/values";

export interface FlexExecutorOptions {
  flow: FlowInterface;
  connections: Record<string, Connection>;
  llm: LlmInvoker;
  python: PythonPool;
  /** Init arguments from the experiment or `--init`, over the flow's own (yaml defaults, init.json). */
  init?: Record<string, unknown>;
  environment?: Environment;
}

/** The flex entry's (or the run's) error as one line: `Type: message` plus the code's traceback. */
function describeFailure(result: Extract<PythonCallResult, { ok: false }>): string {
  const { type, message, traceback } = result.error;
  // The worker's FlexInitError already names the class and the original exception.
  return `${type === "FlexInitError" ? "" : `${type}: `}${message}${traceback ? `\n${traceback.trimEnd()}` : ""}`;
}

/** Connections init arguments name: a string given to a parameter typed as a connection class. */
function initConnections(flow: FlowInterface, init: Record<string, unknown>, connections: Record<string, Connection>): Record<string, ConnectionPayload> | undefined {
  const named: Record<string, ConnectionPayload> = {};
  for (const port of flow.init) {
    const value = init[port.name];
    if (!/Connection$/.test(port.type) || typeof value !== "string") continue;
    const connection = connections[value];
    if (!connection) throw new UserError(`${flow.file}: init argument '${port.name}' names connection '${value}', which is not defined`);
    named[value] = connectionPayload(connection);
  }
  return Object.keys(named).length > 0 ? named : undefined;
}

/**
 * Constructs the entry once (an `__init__` failure fails the run with its message, before any line) and returns
 * the executor. The python pool is the caller's: it may be shared with other flows of the run.
 */
export async function createFlexExecutor(options: FlexExecutorOptions): Promise<FlowExecutor> {
  const { flow, python } = options;
  if (!flow.flex) throw new Error(`${flow.file} is not a flex flow`);
  const flex = flow.flex;
  // prompt flow: the given init (init.json, the experiment, --init), else the sample's; yaml defaults fill the rest.
  const given = { ...flex.initFromFile, ...(options.init ?? {}) };
  const chosen = Object.keys(given).length === 0 && flex.sample.init ? flex.sample.init : given;
  const defaults = Object.fromEntries(flow.init.filter((port) => port.default !== undefined).map((port) => [port.name, port.default]));
  const init = { ...defaults, ...chosen };
  const missing = flow.init.filter((port) => port.required && init[port.name] === undefined).map((port) => port.name);
  if (flow.flex.kind === "class" && missing.length > 0) {
    throw new UserError(`${flow.file}: ${flow.flex.entry} needs init argument${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (give them in init: of the yaml, init.json or --init)`);
  }
  const target: FlexTarget = { key: randomUUID(), dir: flow.dir, entry: flow.flex.entry, init };
  const connections = initConnections(flow, init, options.connections);
  const prompty = createPromptyRunner({ connections: options.connections, llm: options.llm, environment: options.environment ?? {} });
  const base = (op: NonNullable<PythonCall["op"]>): PythonCall => ({
    op,
    toolPath: flex.file,
    kwargs: {},
    bypassed: [],
    cwd: flow.dir,
    env: flex.environmentVariables,
    flex: target,
    ...(connections ? { connections } : {}),
  });

  const initUsage = emptyUsage();
  const constructed = await python.call({ ...base("flex_init"), onRequest: pythonRequestHandler(prompty, initUsage) });
  if (!constructed.ok) throw new UserError(`${flow.file}: cannot start ${flow.flex.entry}: ${describeFailure(constructed)}`);

  const runLine = async (rawInputs: Record<string, unknown>, context: StreamingLineContext): Promise<FlowLineOutcome> => {
    const usage = emptyUsage();
    const started = performance.now();
    let kwargs: Record<string, unknown>;
    try {
      // An empty line takes the yaml's sample inputs, as prompt flow does.
      kwargs = convertInterfaceInputs(flow.inputs, Object.keys(rawInputs).length === 0 && flex.sample.inputs ? flex.sample.inputs : rawInputs);
    } catch (err) {
      if (err instanceof InputError) return { status: "Failed", outputs: {}, error: { type: "InputError", message: err.message }, usage, nodeRuns: [] };
      throw err;
    }
    const result = await python.call(
      { ...base("flex_call"), kwargs, onRequest: pythonRequestHandler(prompty, usage), ...(context.onChunk ? { onChunk: context.onChunk } : {}), ...(context.onStreamStart ? { onStreamStart: context.onStreamStart } : {}) },
      context.signal,
    );
    const durationMs = performance.now() - started;
    const nodeRun = { node: flex.entry, status: result.ok ? ("Completed" as const) : ("Failed" as const), durationMs, ...(result.stdout ? { stdout: result.stdout } : {}), ...(usage.totalTokens > 0 ? { usage } : {}) };
    if (!result.ok) {
      const type = ["WorkerCrashed", "Timeout", "Aborted"].includes(result.error.type) ? result.error.type : "ScriptExecutionError";
      return { status: "Failed", outputs: {}, error: { type, message: `Execution failure in '${flex.entry}': ${describeFailure(result)}` }, usage, nodeRuns: [nodeRun] };
    }
    const value = result.result as { outputs?: Record<string, unknown>; line_result?: unknown } | null;
    const outcome: FlowLineOutcome = { status: "Completed", outputs: value?.outputs ?? {}, usage, nodeRuns: [nodeRun] };
    if (flex.hasAggregate) outcome.aggregationInputs = { line_result: value?.line_result ?? null };
    return outcome;
  };

  const aggregate: FlowExecutor["aggregate"] = async (lines): Promise<AggregationOutcome> => {
    if (!flex.hasAggregate || lines.length === 0) return { metrics: {} };
    const usage = emptyUsage();
    const result = await python.call({ ...base("flex_aggregate"), lineResults: lines.map((line) => line.aggregationInputs?.line_result ?? null), onRequest: pythonRequestHandler(prompty, usage) });
    if (!result.ok) return { metrics: {}, error: `${flex.entry}.__aggregate__: ${describeFailure(result)}` };
    const metrics: Record<string, number | string> = {};
    if (isRecord(result.result)) {
      for (const [key, value] of Object.entries(result.result)) {
        if (typeof value === "number" || typeof value === "string") metrics[key] = value;
        else if (typeof value === "boolean") metrics[key] = Number(value);
        else if (value !== null && value !== undefined) metrics[key] = JSON.stringify(value);
      }
    }
    return { metrics };
  };

  return { runLine, aggregates: flow.flex.hasAggregate, aggregate, close: async () => undefined };
}
