/**
 * What an experiment needs to know about a flow folder to check its mappings: input names (and which are
 * required), output names, and the connections its LLM nodes use. Read straight from flow.dag.yaml, without the
 * flow engine, so loading an experiment stays cheap; the engine validates the flow itself when it runs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { ConfigError, UserError } from "../../core/userError";

export interface FlowInterface {
  dagFile: string;
  inputs: string[];
  /** Inputs without a non-null default: a mapping (or same-named column) must provide them. */
  requiredInputs: string[];
  outputs: string[];
  /** Connection name → the first node (or `node.variant`) using it. */
  connections: Record<string, string>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function collectConnection(node: unknown, label: string, into: Record<string, string>): void {
  if (!isRecord(node) || typeof node.connection !== "string") return;
  if (node.type !== undefined && node.type !== "llm") return;
  into[node.connection] ??= label;
}

/** Pure part: the interface of a parsed flow.dag.yaml document. */
export function flowInterfaceOf(document: unknown, dagFile: string): FlowInterface {
  if (!isRecord(document)) throw new ConfigError(dagFile, "$", "a flow definition (a mapping)", "something else");
  const inputs = isRecord(document.inputs) ? document.inputs : {};
  const outputs = isRecord(document.outputs) ? document.outputs : {};
  const requiredInputs = Object.entries(inputs)
    .filter(([, spec]) => !isRecord(spec) || spec.default === undefined || spec.default === null)
    .map(([name]) => name);
  const connections: Record<string, string> = {};
  for (const node of Array.isArray(document.nodes) ? document.nodes : []) {
    if (isRecord(node)) collectConnection(node, String(node.name), connections);
  }
  if (isRecord(document.node_variants)) {
    for (const [nodeName, variants] of Object.entries(document.node_variants)) {
      if (!isRecord(variants) || !isRecord(variants.variants)) continue;
      for (const [variantId, variant] of Object.entries(variants.variants)) {
        if (isRecord(variant)) collectConnection(variant.node, `${nodeName}.${variantId}`, connections);
      }
    }
  }
  return { dagFile, inputs: Object.keys(inputs), requiredInputs, outputs: Object.keys(outputs), connections };
}

/** Reads `<dir>/flow.dag.yaml`; `referencedFrom` says where the folder was named, for the error. */
export function readFlowInterface(dir: string, referencedFrom: string): FlowInterface {
  const candidates = ["flow.dag.yaml", "flow.dag.yml"].map((name) => path.join(dir, name));
  const dagFile = candidates.find((file) => fs.existsSync(file));
  if (!dagFile) throw new UserError(`${referencedFrom}: flow folder ${dir} has no flow.dag.yaml`);
  let document: unknown;
  try {
    document = yaml.load(fs.readFileSync(dagFile, "utf8"), { filename: dagFile });
  } catch (err) {
    if (err instanceof yaml.YAMLException) throw new ConfigError(dagFile, "$", "valid YAML", err.message);
    throw err;
  }
  return flowInterfaceOf(document, dagFile);
}
