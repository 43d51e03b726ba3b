import type { AggregationOutcome, LineContext, LineError, LineExecutor, LineOutcome } from "../runs/bulk/types";
import type { Connection, LlmInvoker, TokenUsage } from "../llm/types";
import { UserError } from "../core/userError";
import { convertInputs, InputError } from "./convertInputs";
import { createNodeRunner, NodeFailure, type NodeRunner } from "./nodeRunner";
import { createPythonPool, type PythonPool } from "./pythonPool";
import { FlowGraph, LineDagState, readPath, referencedNodes } from "./dagState";
import { runSchedule } from "./nodeScheduler";
import { resolveAggregationInputs, resolveLineOutputs } from "./outputResolution";
import { addUsage, emptyUsage } from "./usage";
import { createPromptyRunner } from "./prompty";
import type { Environment } from "../llm/connections";
import type { Flow, FlowNode } from "./types";
import { AnswerStream, streamedAnswerNode } from "./answerStream";

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
  /**
   * The caller's environment: where `${env:VAR}` in prompty model configurations is read from (python tools
   * calling Prompty), and the environment (and `PYTHON`) of the executor's own workers.
   */
  environment: Environment;
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

/** A tool printing in a loop must not grow a record without bound: the end of each node's text is kept. */
const maxPrintedChars = 64 * 1024;

/** Copies what each node printed into the outcome, so the line's record keeps it per node. */
function withPrinted(outcome: FlowLineOutcome): FlowLineOutcome {
  const printed: Record<string, string> = {};
  for (const run of outcome.nodeRuns) {
    if (!run.stdout) continue;
    const text = run.stdout.length > maxPrintedChars ? `[...${run.stdout.length - maxPrintedChars} characters cut]${run.stdout.slice(-maxPrintedChars)}` : run.stdout;
    printed[run.node] = (printed[run.node] ?? "") + text;
  }
  if (Object.keys(printed).length > 0) outcome.printed = printed;
  return outcome;
}

/** A line whose caller wants the answer as it is produced (serving with text/event-stream, `llmops chat`). */
export interface StreamingLineContext extends LineContext {
  /**
   * Receives the streamed answer's pieces: a DAG chat flow's answer from its LLM node, a flex generator's
   * chunks. The line's outputs still hold the whole text when it completes. Bulk runs never pass it.
   */
  onChunk?: (chunk: string) => void;
  /**
   * Called once before the first piece with the output it belongs to and the outputs already known (prompt flow
   * sends those first): a DAG's other outputs, a flex dict's fields that are not generators.
   */
  onStreamStart?: (otherOutputs: Record<string, unknown>, field: string) => void;
}

export interface FlowExecutor extends LineExecutor {
  /** A DAG output the model's answer streams to, token by token, when the line is asked to stream (answerStream.ts). */
  readonly streamedOutput?: string;
  runLine(inputs: Record<string, unknown>, context: StreamingLineContext): Promise<FlowLineOutcome>;
  aggregate(lines: { lineNumber: number; inputs: Record<string, unknown>; aggregationInputs?: Record<string, unknown> }[]): Promise<AggregationOutcome>;
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
  const python = options.python ?? createPythonPool({ environment: options.environment });
  const prompty = createPromptyRunner({ connections: options.connections, llm: options.llm, environment: options.environment });
  const runNode: NodeRunner = createNodeRunner({ ...options, python, prompty });
  const graph = new FlowGraph(flow);
  const streamed = streamedAnswerNode(flow);

  const runLine = async (rawInputs: Record<string, unknown>, context: StreamingLineContext): Promise<FlowLineOutcome> => {
    const usage = emptyUsage();
    const nodeRuns: NodeRunRecord[] = [];
    let inputs: Record<string, unknown>;
    try {
      inputs = convertInputs(flow.inputs, rawInputs);
    } catch (err) {
      return { status: "Failed", outputs: {}, error: lineFailure(err), usage, nodeRuns };
    }
    const dag = new LineDagState(graph, inputs);
    // Stops the line's other nodes when one fails, or when the run stops. Not AbortSignal.any: on Node 20 it leaves
    // a WeakRef in the runner's signal, shared by every line of the run, that is never pruned (a million lines, a
    // million WeakRefs). A listener removed when the line ends keeps the shared signal's state bounded.
    const abort = new AbortController();
    const forwardStop = (): void => abort.abort(context.signal.reason);
    if (context.signal.aborted) forwardStop();
    else context.signal.addEventListener("abort", forwardStop, { once: true });
    try {
      return await runDag(dag, context, abort, usage, nodeRuns);
    } finally {
      context.signal.removeEventListener("abort", forwardStop);
    }
  };

  const runDag = async (
    dag: LineDagState,
    context: StreamingLineContext,
    abort: AbortController,
    usage: TokenUsage,
    nodeRuns: NodeRunRecord[],
  ): Promise<FlowLineOutcome> => {
    const nodeSignal = abort.signal;
    let failure: LineError | undefined;
    const variantOf = (node: FlowNode): { variantId?: string } => (node.variantId ? { variantId: node.variantId } : {});
    const answer = streamed && context.onChunk ? new AnswerStream(streamed.output, context.onChunk, context.onStreamStart) : undefined;
    // The answer's pieces wait for every other line node, so the first event can carry the other outputs.
    let othersLeft = graph.lineNodes.length - 1;
    const otherOutputs = (): Record<string, unknown> | undefined => {
      if (failure || !streamed) return undefined;
      try {
        return resolveLineOutputs(graph, dag, streamed.output);
      } catch {
        return undefined;
      }
    };
    const settled = (node: FlowNode): void => {
      if (answer && node.name !== streamed?.node && --othersLeft === 0) answer.othersReady(otherOutputs);
    };
    if (answer && othersLeft === 0) answer.othersReady(otherOutputs);

    const run = async (node: FlowNode): Promise<boolean> => {
      const started = performance.now();
      const record: NodeRunRecord = { node: node.name, status: "Failed", durationMs: 0, ...variantOf(node) };
      nodeRuns.push(record);
      try {
        const call = dag.callInputs(node);
        const onText = answer && node.name === streamed?.node ? (piece: string) => answer.text(piece) : undefined;
        const result = await runNode({ node, inputs: call.inputs, bypassed: call.bypassed, signal: nodeSignal, ...(onText ? { onText } : {}) });
        addUsage(usage, result.usage);
        dag.markCompleted(node, result.output);
        record.status = "Completed";
        settled(node);
        if (result.usage) record.usage = result.usage;
        if (result.stdout) record.stdout = result.stdout;
        return true;
      } catch (err) {
        if (err instanceof NodeFailure && err.stdout) record.stdout = err.stdout;
        failure ??= context.signal.aborted ? { type: "Aborted", message: "the line was aborted", node: node.name } : lineFailure(err, node.name);
        abort.abort();
        return false;
      } finally {
        record.durationMs = performance.now() - started;
      }
    };

    const ended = await runSchedule({
      dag,
      concurrency: nodeConcurrency,
      signal: context.signal,
      run,
      bypassed: (node) => {
        nodeRuns.push({ node: node.name, status: "Bypassed", durationMs: 0, ...variantOf(node) });
        settled(node);
      },
      failed: (node, err) => {
        failure = lineFailure(err, node.name);
        abort.abort();
      },
    });
    if (ended === "aborted" && !failure) failure = { type: "Aborted", message: "the line was aborted" };

    if (failure) return { status: "Failed", outputs: {}, error: failure, usage, nodeRuns };
    if (context.signal.aborted) return { status: "Failed", outputs: {}, error: { type: "Aborted", message: "the line was aborted" }, usage, nodeRuns };

    let outputs: Record<string, unknown>;
    try {
      outputs = resolveLineOutputs(graph, dag);
    } catch (err) {
      return { status: "Failed", outputs: {}, error: lineFailure(err), usage, nodeRuns };
    }
    const outcome: FlowLineOutcome = { status: "Completed", outputs, usage, nodeRuns };
    if (graph.aggregationNodes.length > 0) outcome.aggregationInputs = resolveAggregationInputs(graph, dag);
    return outcome;
  };

  const aggregate: FlowExecutor["aggregate"] = async (lines) => {
    if (graph.aggregationNodes.length === 0 || lines.length === 0) return { metrics: {} };
    const metrics: Record<string, number | string> = {};
    const outputs = new Map<string, unknown>();
    const pending = [...graph.aggregationNodes];
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
    ...(streamed ? { streamedOutput: streamed.output } : {}),
    runLine: async (inputs, context) => withPrinted(await runLine(inputs, context)),
    aggregates: graph.aggregationNodes.length > 0,
    aggregate,
    close: async () => {
      if (!options.python) await python.close();
    },
  };
}
