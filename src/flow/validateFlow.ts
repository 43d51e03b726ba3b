import * as path from "node:path";
import { ConfigError } from "../core/userError";
import { packageToolOf, supportedPackageToolsText } from "./packageTools";
import type { Flow, FlowNode, NodeBody, ValueSource } from "./types";

/**
 * Package tools the engine does not implement are refused rather than skipped: a flow that silently lost a node
 * would report wrong results. The runner executes `llm`, `prompt` and `python` nodes whose code lives in the flow
 * folder, and prompt flow's LLM and embedding package tools.
 */
function checkSource(flow: Flow, body: NodeBody, jsonPath: string, exists: (file: string) => boolean): void {
  if (body.source.type === "package") {
    if (packageToolOf(body.source.tool)) return;
    throw new ConfigError(flow.file, `${jsonPath}.source.tool`, `a package tool this runner implements (${supportedPackageToolsText})`, `package tool '${body.source.tool}'`);
  }
  const file = body.source.path;
  if (body.type === "python" && !file.endsWith(".py")) {
    throw new ConfigError(flow.file, `${jsonPath}.source.path`, "a .py file for a python node", file);
  }
  if (!exists(path.resolve(flow.dir, file))) {
    throw new ConfigError(flow.file, `${jsonPath}.source.path`, `an existing file in ${flow.dir}`, `missing file '${file}'`);
  }
}

function referenceProblem(flow: Flow, nodes: Map<string, FlowNode>, source: ValueSource): string | undefined {
  if (source.kind === "input" && !(source.name in flow.inputs)) return `unknown flow input in ${source.text}`;
  if (source.kind === "node" && !nodes.has(source.node)) return `unknown node '${source.node}' in ${source.text}`;
  return undefined;
}

function nodeDependencies(node: NodeBody): string[] {
  const sources = [...Object.values(node.inputs), ...(node.activate ? [node.activate.when] : [])];
  return [...new Set(sources.flatMap((s) => (s.kind === "node" ? [s.node] : [])))];
}

/** Names a cycle (`a -> b -> a`) if the node graph has one. */
export function findCycle(nodes: FlowNode[]): string[] | undefined {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "visiting") return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, "visiting");
    stack.push(name);
    const node = byName.get(name);
    for (const dep of node ? nodeDependencies(node) : []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const node of nodes) {
    const cycle = visit(node.name);
    if (cycle) return cycle;
  }
  return undefined;
}

/** References, aggregation rules and cycles of one concrete flow (variants already applied). Pure. */
export function validateGraph(flow: Flow): void {
  const nodes = new Map(flow.nodes.map((n) => [n.name, n]));
  for (const node of flow.nodes) {
    const check = (source: ValueSource, where: string): void => {
      const problem = referenceProblem(flow, nodes, source);
      const text = source.kind === "literal" ? "" : source.text;
      if (problem) {
        const known = source.kind === "input" ? Object.keys(flow.inputs) : [...nodes.keys()];
        throw new ConfigError(flow.file, `${node.jsonPath}.${where}`, `a reference to one of: ${known.join(", ") || "none"}`, problem);
      }
      if (source.kind === "node" && !node.aggregation && nodes.get(source.node)?.aggregation) {
        throw new ConfigError(
          flow.file,
          `${node.jsonPath}.${where}`,
          "aggregation nodes to be read only by other aggregation nodes or flow outputs",
          `node '${node.name}' reads aggregation node '${source.node}' (${text})`,
        );
      }
    };
    for (const [key, source] of Object.entries(node.inputs)) check(source, `inputs.${key}`);
    if (node.activate) {
      if (node.aggregation) {
        throw new ConfigError(flow.file, `${node.jsonPath}.activate`, "no activate condition on an aggregation node (it runs once over all lines)", "an activate block");
      }
      check(node.activate.when, "activate.when");
    }
  }
  for (const output of Object.values(flow.outputs)) {
    const problem = referenceProblem(flow, nodes, output.source);
    if (problem) {
      throw new ConfigError(flow.file, `outputs.${output.name}.reference`, `a reference to a declared node or input`, problem);
    }
  }
  const cycle = findCycle(flow.nodes);
  if (cycle) {
    const first = nodes.get(cycle[0]);
    throw new ConfigError(flow.file, first ? first.jsonPath : "nodes", "an acyclic graph of nodes", `a cycle: ${cycle.join(" -> ")}`);
  }
}

/** Everything that can be checked without running: names, sources and files of every node and variant. */
export function validateFlow(flow: Flow, exists: (file: string) => boolean): void {
  const seen = new Set<string>();
  for (const node of flow.nodes) {
    if (seen.has(node.name)) {
      throw new ConfigError(flow.file, `${node.jsonPath}.name`, "unique node names", `a second node named '${node.name}'`);
    }
    seen.add(node.name);
    checkSource(flow, node, node.jsonPath, exists);
  }
  for (const [name, variants] of Object.entries(flow.nodeVariants)) {
    const node = flow.nodes.find((n) => n.name === name);
    if (!node || !node.useVariants) {
      throw new ConfigError(flow.file, `node_variants.${name}`, "variants for a node with use_variants: true", node ? `node '${name}' without use_variants` : `no node named '${name}'`);
    }
    for (const body of Object.values(variants.variants)) checkSource(flow, body, body.jsonPath, exists);
  }
  validateGraph(flow);
}
