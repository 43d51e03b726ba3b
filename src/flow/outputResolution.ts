/** What a finished line hands back: the flow's outputs, and the values its aggregation nodes will read. */
import { BYPASSED, type FlowGraph, type LineDagState } from "./dagState";

/**
 * The flow's outputs for one line (but `except`, a streamed answer read before the line ends); a bypassed node's
 * output is None. Throws on a missing key (the line fails).
 */
export function resolveLineOutputs(graph: FlowGraph, dag: LineDagState, except?: string): Record<string, unknown> {
  const outputs: Record<string, unknown> = {};
  for (const output of Object.values(graph.flow.outputs)) {
    if (output.name === except) continue;
    const source = output.source;
    // Outputs of aggregation nodes exist once per run, not per line.
    if (source.kind === "node" && graph.aggregationNames.has(source.node)) continue;
    const value = dag.resolve(source);
    outputs[output.name] = value === BYPASSED ? null : value;
  }
  return outputs;
}

/** Per line, every value an aggregation node reads (keyed by its reference text); unreadable ones are None. */
export function resolveAggregationInputs(graph: FlowGraph, dag: LineDagState): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const source of graph.aggregationSources) {
    let value: unknown;
    try {
      value = dag.resolve(source);
    } catch {
      value = null;
    }
    inputs[source.text] = value === BYPASSED ? null : value;
  }
  return inputs;
}
