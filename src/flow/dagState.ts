/**
 * The DAG of one flow and the state of its nodes within one line, as prompt flow's DAG manager keeps it: which
 * nodes are ready (every node they read has settled), which are bypassed (activate config, or every node they
 * read was bypassed), and the value a reference resolves to.
 */
import { NodeFailure } from "./nodeRunner";
import { pythonEquals } from "./pythonValues";
import type { Flow, FlowNode, NodeReference, ValueSource } from "./types";

/** What a reference to a bypassed node resolves to; inputs bound to it become None. */
export const BYPASSED = Symbol("bypassed");

type NodeState = { status: "Bypassed" } | { status: "Completed"; output: unknown };

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

function nodesRead(sources: ValueSource[]): string[] {
  return [...new Set(sources.flatMap((s) => (s.kind === "node" ? [s.node] : [])))];
}

/** Nodes a node waits for: those its inputs and its activate condition read. */
export function referencedNodes(node: FlowNode): string[] {
  return nodesRead([...Object.values(node.inputs), ...(node.activate ? [node.activate.when] : [])]);
}

/** The flow's static graph, computed once per executor. */
export class FlowGraph {
  readonly lineNodes: FlowNode[];
  readonly aggregationNodes: FlowNode[];
  readonly aggregationNames: Set<string>;
  /** Values aggregation nodes read from each line: flow inputs and line-node outputs. */
  readonly aggregationSources: Exclude<ValueSource, { kind: "literal" }>[];
  private readonly waitsFor: Map<string, string[]>;
  private readonly inputsRead: Map<string, string[]>;

  constructor(readonly flow: Flow) {
    this.lineNodes = flow.nodes.filter((n) => !n.aggregation);
    this.aggregationNodes = flow.nodes.filter((n) => n.aggregation);
    this.aggregationNames = new Set(this.aggregationNodes.map((n) => n.name));
    this.aggregationSources = this.aggregationNodes
      .flatMap((n) => Object.values(n.inputs))
      .filter((s): s is Exclude<ValueSource, { kind: "literal" }> => s.kind === "input" || (s.kind === "node" && !this.aggregationNames.has(s.node)));
    this.waitsFor = new Map(flow.nodes.map((n) => [n.name, referencedNodes(n)]));
    this.inputsRead = new Map(flow.nodes.map((n) => [n.name, nodesRead(Object.values(n.inputs))]));
  }

  waitsOn(node: FlowNode): string[] {
    return this.waitsFor.get(node.name) ?? [];
  }

  readsFrom(node: FlowNode): string[] {
    return this.inputsRead.get(node.name) ?? [];
  }
}

/** One line's progress through the graph. */
export class LineDagState {
  private readonly states = new Map<string, NodeState>();
  private readonly waiting: Set<FlowNode>;

  constructor(
    private readonly graph: FlowGraph,
    private readonly inputs: Record<string, unknown>,
  ) {
    this.waiting = new Set(graph.lineNodes);
  }

  /** Nodes not yet started whose every dependency has settled, in flow order. */
  ready(): FlowNode[] {
    return [...this.waiting].filter((node) => this.graph.waitsOn(node).every((name) => this.states.has(name)));
  }

  /** Taken off the waiting set: started, or bypassed. */
  take(node: FlowNode): void {
    this.waiting.delete(node);
  }

  /** Exactly prompt flow's rule: activate decides alone; otherwise bypassed when every node it reads was. */
  isBypassed(node: FlowNode): boolean {
    if (node.activate) {
      const value = this.resolve(node.activate.when);
      return value === BYPASSED || !pythonEquals(value, node.activate.is);
    }
    const read = this.graph.readsFrom(node);
    return read.length > 0 && read.every((name) => this.states.get(name)?.status === "Bypassed");
  }

  markBypassed(node: FlowNode): void {
    this.states.set(node.name, { status: "Bypassed" });
  }

  markCompleted(node: FlowNode, output: unknown): void {
    this.states.set(node.name, { status: "Completed", output });
  }

  /** A value source within this line; BYPASSED for a reference to a bypassed (or never-run) node. */
  resolve(source: ValueSource): unknown {
    if (source.kind === "literal") return source.value;
    if (source.kind === "input") return this.inputs[source.name];
    const state = this.states.get(source.node);
    if (!state || state.status === "Bypassed") return BYPASSED;
    return readPath(source, state.output);
  }

  /** A node's call arguments; inputs bound to bypassed nodes are None and listed. */
  callInputs(node: FlowNode): { inputs: Record<string, unknown>; bypassed: string[] } {
    const inputs: Record<string, unknown> = {};
    const bypassed: string[] = [];
    for (const [key, source] of Object.entries(node.inputs)) {
      const value = this.resolve(source);
      if (value === BYPASSED) {
        bypassed.push(key);
        inputs[key] = null;
      } else {
        inputs[key] = value;
      }
    }
    return { inputs, bypassed };
  }
}
