import type { AggregationOutcome, LineContext, LineError, LineExecutor, LineOutcome } from "../runs/bulk/types";
import type { Connection, LlmInvoker, TokenUsage } from "../llm/types";
import { UserError } from "../core/userError";
import { convertInputs, InputError } from "./convertInputs";
import { createNodeRunner, NodeFailure, type NodeRunner } from "./nodeRunner";
import { createPythonPool, type PythonPool } from "./pythonPool";
import { pythonEquals } from "./pythonValues";
import { addUsage, emptyUsage } from "./usage";
import { createPromptyRunner } from "./prompty";
import type { Environment } from "../llm/connections";
import type { Flow, FlowNode, NodeReference, ValueSource } from "./types";

export interface FlowExecutorOptions {
  /** A concrete flow: variants already applied (resolveVariants) or the defaults loadFlow returns. */
  flow: Flow;
  connections: Record<string, Connection>;
  llm: LlmInvoker;
  /**
   * Python workers, possibly shared by several executors (variants); the caller closes it. When omitted the
   * executor creates its own pool (workers start on first python call) and ends it in close().
   */
  python?: PythonPool;
  /**
   * Nodes of one line running at once. Default 4: lines already run in parallel in bulk runs (prompt flow uses 2
   * there), and flows rarely have more than a few independent branches.
   */
  nodeConcurrency?: number;
  /** Where `${env:VAR}` in prompty model configurations is read from (python tools calling Prompty). */
  environment?: Environment;
}

export type NodeStatus = "Completed" | "Bypassed" | "Failed";

export interface NodeRunRecord {
  node: string;
  status: NodeStatus;
  durationMs: number;
  variantId?: string;
  usage?: TokenUsage;
  /** What a python tool printed (kept off the protocol, returned for debugging). */
  stdout?: string;
}

export interface FlowLineOutcome extends LineOutcome {
  nodeRuns: NodeRunRecord[];
}

export interface FlowExecutor extends LineExecutor {
  runLine(inputs: Record<string, unknown>, context: LineContext): Promise<FlowLineOutcome>;
  aggregate(lines: { lineNumber: number; inputs: Record<string, unknown>; aggregationInputs?: Record<string, unknown> }[]): Promise<AggregationOutcome>;
}

type NodeState = { status: "Bypassed" } | { status: "Completed"; output: unknown };

const BYPASSED = Symbol("bypassed");

/** `${node.output.a.b}` read from a node's output: a property of None or a missing key is an error. */
export function readPath(reference: NodeReference, output: unknown): unknown {
  let value = output;
  for (const key of reference.path) {
    if (value === null || value === undefined) {
      throw new NodeFailure("OutputError", `${reference.text}: node '${reference.node}' output is None, cannot read '${key}'`);
    }
    if (typeof value !== "object" || !Object.prototype.hasOwnProperty.call(value, key)) {
      throw new NodeFailure("OutputError", `${reference.text}: node '${reference.node}' output has no key '${key}'`);
    }
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function referencedNodes(node: FlowNode): string[] {
  const sources = [...Object.values(node.inputs), ...(node.activate ? [node.activate.when] : [])];
  return [...new Set(sources.flatMap((s) => (s.kind === "node" ? [s.node] : [])))];
}

function inputReferencedNodes(node: FlowNode): string[] {
  return [...new Set(Object.values(node.inputs).flatMap((s) => (s.kind === "node" ? [s.node] : [])))];
}

function lineFailure(err: unknown, node?: string): LineError {
  if (err instanceof NodeFailure) return { type: err.type, message: err.message, ...(node ? { node } : {}) };
  if (err instanceof InputError) return { type: "InputError", message: err.message };
  return { type: "NodeError", message: err instanceof Error ? err.message : String(err), ...(node ? { node } : {}) };
}

/**
 * The flow as a LineExecutor: converts inputs, runs the node DAG with activate/bypass semantics and bounded
 * parallelism, resolves outputs, and runs aggregation nodes once over all completed lines.
 */
export function createFlowExecutor(options: FlowExecutorOptions): FlowExecutor {
  const { flow } = options;
  const nodeConcurrency = options.nodeConcurrency ?? 4;
  if (!Number.isInteger(nodeConcurrency) || nodeConcurrency < 1) {
    throw new UserError(`nodeConcurrency must be a positive integer, found ${nodeConcurrency}`);
  }
  const python = options.python ?? createPythonPool();
  const prompty = createPromptyRunner({ connections: options.connections, llm: options.llm, environment: options.environment ?? {} });
  const runNode: NodeRunner = createNodeRunner({ ...options, python, prompty });
  const lineNodes = flow.nodes.filter((n) => !n.aggregation);
  const aggregationNodes = flow.nodes.filter((n) => n.aggregation);
  const aggregationNames = new Set(aggregationNodes.map((n) => n.name));
  const aggregationSources = aggregationNodes
    .flatMap((n) => Object.values(n.inputs))
    .filter((s): s is Exclude<ValueSource, { kind: "literal" }> => s.kind === "input" || (s.kind === "node" && !aggregationNames.has(s.node)));
  const dependencies = new Map(flow.nodes.map((n) => [n.name, referencedNodes(n)]));
  const inputDependencies = new Map(flow.nodes.map((n) => [n.name, inputReferencedNodes(n)]));

  const resolveInLine = (source: ValueSource, inputs: Record<string, unknown>, states: Map<string, NodeState>): unknown => {
    if (source.kind === "literal") return source.value;
    if (source.kind === "input") return inputs[source.name];
    const state = states.get(source.node);
    if (!state || state.status === "Bypassed") return BYPASSED;
    return readPath(source, state.output);
  };

  /** Exactly prompt flow's rule: activate decides alone; otherwise bypassed when every node it reads was. */
  const isBypassed = (node: FlowNode, inputs: Record<string, unknown>, states: Map<string, NodeState>): boolean => {
    if (node.activate) {
      const value = resolveInLine(node.activate.when, inputs, states);
      return value === BYPASSED || !pythonEquals(value, node.activate.is);
    }
    const read = inputDependencies.get(node.name) ?? [];
    return read.length > 0 && read.every((name) => states.get(name)?.status === "Bypassed");
  };

  const runLine = async (rawInputs: Record<string, unknown>, context: LineContext): Promise<FlowLineOutcome> => {
    const usage = emptyUsage();
    const nodeRuns: NodeRunRecord[] = [];
    let inputs: Record<string, unknown>;
    try {
      inputs = convertInputs(flow.inputs, rawInputs);
    } catch (err) {
      return { status: "Failed", outputs: {}, error: lineFailure(err), usage, nodeRuns };
    }
    const states = new Map<string, NodeState>();
    const waiting = new Set(lineNodes);
    // Stops the line's other nodes when one fails. Combined without adding a listener to the runner's signal,
    // which is shared by every line in flight.
    const abort = new AbortController();
    const nodeSignal = AbortSignal.any([context.signal, abort.signal]);
    let failure: LineError | undefined;
    let running = 0;

    const start = async (node: FlowNode): Promise<void> => {
      const started = performance.now();
      const record: NodeRunRecord = { node: node.name, status: "Failed", durationMs: 0, ...(node.variantId ? { variantId: node.variantId } : {}) };
      nodeRuns.push(record);
      try {
        const call: Record<string, unknown> = {};
        const bypassed: string[] = [];
        for (const [key, source] of Object.entries(node.inputs)) {
          const value = resolveInLine(source, inputs, states);
          if (value === BYPASSED) {
            bypassed.push(key);
            call[key] = null;
          } else {
            call[key] = value;
          }
        }
        const result = await runNode({ node, inputs: call, bypassed, signal: nodeSignal });
        addUsage(usage, result.usage);
        states.set(node.name, { status: "Completed", output: result.output });
        record.status = "Completed";
        if (result.usage) record.usage = result.usage;
        if (result.stdout) record.stdout = result.stdout;
      } catch (err) {
        failure ??= context.signal.aborted ? { type: "Aborted", message: "the line was aborted", node: node.name } : lineFailure(err, node.name);
        abort.abort();
      } finally {
        record.durationMs = performance.now() - started;
      }
    };

    await new Promise<void>((resolve) => {
      const schedule = (): void => {
        let progressed = true;
        while (progressed && !failure) {
          progressed = false;
          if (context.signal.aborted) {
            failure = { type: "Aborted", message: "the line was aborted" };
            break;
          }
          for (const node of waiting) {
            if (!(dependencies.get(node.name) ?? []).every((name) => states.has(name))) continue;
            let bypass: boolean;
            try {
              bypass = isBypassed(node, inputs, states);
            } catch (err) {
              failure = lineFailure(err, node.name);
              abort.abort();
              break;
            }
            if (bypass) {
              waiting.delete(node);
              states.set(node.name, { status: "Bypassed" });
              nodeRuns.push({ node: node.name, status: "Bypassed", durationMs: 0, ...(node.variantId ? { variantId: node.variantId } : {}) });
              progressed = true;
            } else if (running < nodeConcurrency) {
              waiting.delete(node);
              running += 1;
              void start(node).then(() => {
                running -= 1;
                schedule();
              });
            }
          }
        }
        if (running === 0) resolve();
      };
      schedule();
    });

    if (failure) return { status: "Failed", outputs: {}, error: failure, usage, nodeRuns };
    if (context.signal.aborted) return { status: "Failed", outputs: {}, error: { type: "Aborted", message: "the line was aborted" }, usage, nodeRuns };

    const outputs: Record<string, unknown> = {};
    try {
      for (const output of Object.values(flow.outputs)) {
        const source = output.source;
        // Outputs of aggregation nodes exist once per run, not per line.
        if (source.kind === "node" && aggregationNames.has(source.node)) continue;
        const value = resolveInLine(source, inputs, states);
        outputs[output.name] = value === BYPASSED ? null : value;
      }
    } catch (err) {
      return { status: "Failed", outputs: {}, error: lineFailure(err), usage, nodeRuns };
    }

    const outcome: FlowLineOutcome = { status: "Completed", outputs, usage, nodeRuns };
    if (aggregationNodes.length > 0) {
      const aggregationInputs: Record<string, unknown> = {};
      for (const source of aggregationSources) {
        let value: unknown;
        try {
          value = resolveInLine(source, inputs, states);
        } catch {
          value = null;
        }
        aggregationInputs[source.text] = value === BYPASSED ? null : value;
      }
      outcome.aggregationInputs = aggregationInputs;
    }
    return outcome;
  };

  const aggregate: FlowExecutor["aggregate"] = async (lines) => {
    if (aggregationNodes.length === 0 || lines.length === 0) return { metrics: {} };
    const metrics: Record<string, number | string> = {};
    const outputs = new Map<string, unknown>();
    const pending = [...aggregationNodes];
    const signal = new AbortController().signal;
    while (pending.length > 0) {
      const index = pending.findIndex((node) => referencedNodes(node).every((name) => !pending.some((p) => p.name === name)));
      const [node] = pending.splice(index < 0 ? 0 : index, 1);
      try {
        const call: Record<string, unknown> = {};
        for (const [key, source] of Object.entries(node.inputs)) {
          if (source.kind === "literal") call[key] = source.value;
          else if (source.kind === "node" && outputs.has(source.node)) call[key] = readPath(source, outputs.get(source.node));
          else call[key] = lines.map((line) => line.aggregationInputs?.[source.text] ?? null);
        }
        const result = await runNode({ node, inputs: call, bypassed: [], signal });
        outputs.set(node.name, result.output);
        Object.assign(metrics, result.metrics ?? {});
      } catch (err) {
        return { metrics: {}, error: `aggregation node '${node.name}': ${err instanceof Error ? err.message : String(err)}` };
      }
    }
    return { metrics };
  };

  return {
    runLine,
    aggregate,
    close: async () => {
      if (!options.python) await python.close();
    },
  };
}
