import { ConfigError } from "../core/userError";
import { parseValueSource } from "./references";
import type {
  ActivateConfig,
  Flow,
  FlowInput,
  FlowInputType,
  FlowNode,
  FlowOutput,
  NodeBody,
  NodeSource,
  NodeType,
  NodeVariants,
  ValueSource,
} from "./types";
import { isRecord } from "../core/values";

const INPUT_TYPES: readonly FlowInputType[] = ["string", "int", "double", "bool", "list", "object", "chat_history"];
const NODE_TYPES: readonly NodeType[] = ["llm", "prompt", "python"];

type Json = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Shape checks for one flow file; every failure names the file and the JSON path. */
class FlowShape {
  constructor(readonly file: string) {}

  fail(jsonPath: string, expected: string, found: unknown): never {
    throw new ConfigError(this.file, jsonPath, expected, describe(found));
  }

  record(value: unknown, jsonPath: string): Json {
    if (!isRecord(value)) this.fail(jsonPath, "a mapping", value);
    return value;
  }

  optionalRecord(value: unknown, jsonPath: string): Json {
    return value === undefined || value === null ? {} : this.record(value, jsonPath);
  }

  string(value: unknown, jsonPath: string): string {
    if (typeof value !== "string" || value.length === 0) this.fail(jsonPath, "a non-empty string", value);
    return value;
  }

  optionalString(value: unknown, jsonPath: string): string | undefined {
    return value === undefined || value === null ? undefined : this.string(value, jsonPath);
  }

  bool(value: unknown, jsonPath: string): boolean {
    if (value === undefined || value === null) return false;
    if (typeof value !== "boolean") this.fail(jsonPath, "true or false", value);
    return value;
  }

  source(value: unknown, jsonPath: string): ValueSource {
    const parsed = parseValueSource(value);
    if (!parsed.ok) this.fail(jsonPath, parsed.expected, value);
    return parsed.source;
  }
}

function parseInputs(shape: FlowShape, raw: unknown): Record<string, FlowInput> {
  const inputs: Record<string, FlowInput> = {};
  for (const [name, spec] of Object.entries(shape.optionalRecord(raw, "inputs"))) {
    const path = `inputs.${name}`;
    const body = shape.record(spec, path);
    const type = body.type;
    if (typeof type !== "string" || !INPUT_TYPES.includes(type as FlowInputType)) {
      shape.fail(`${path}.type`, `one of ${INPUT_TYPES.join(", ")}`, type);
    }
    inputs[name] = {
      name,
      type: type as FlowInputType,
      default: body.default === null ? undefined : body.default,
      isChatInput: shape.bool(body.is_chat_input, `${path}.is_chat_input`),
    };
  }
  return inputs;
}

function parseOutputs(shape: FlowShape, raw: unknown): Record<string, FlowOutput> {
  const outputs: Record<string, FlowOutput> = {};
  for (const [name, spec] of Object.entries(shape.optionalRecord(raw, "outputs"))) {
    const path = `outputs.${name}`;
    const body = shape.record(spec, path);
    const source = shape.source(body.reference, `${path}.reference`);
    if (source.kind === "literal") {
      shape.fail(`${path}.reference`, "${<node>.output...} or ${inputs.<name>}", body.reference);
    }
    outputs[name] = { name, type: shape.optionalString(body.type, `${path}.type`), source, isChatOutput: shape.bool(body.is_chat_output, `${path}.is_chat_output`) };
  }
  return outputs;
}

function parseNodeSource(shape: FlowShape, raw: unknown, path: string): NodeSource {
  const body = shape.record(raw, path);
  if (body.type === "code") return { type: "code", path: shape.string(body.path, `${path}.path`) };
  if (body.type === "package") return { type: "package", tool: shape.string(body.tool, `${path}.tool`) };
  return shape.fail(`${path}.type`, "code or package", body.type);
}

function parseActivate(shape: FlowShape, raw: unknown, path: string): ActivateConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  const body = shape.record(raw, path);
  if (!("when" in body)) shape.fail(`${path}.when`, "a reference like ${inputs.x} or ${node.output}", undefined);
  if (!("is" in body)) shape.fail(`${path}.is`, "the value to compare with", undefined);
  return { when: shape.source(body.when, `${path}.when`), is: body.is };
}

/** Parses what a variant may replace: everything but name and use_variants. */
function parseNodeBody(shape: FlowShape, body: Json, path: string): NodeBody {
  const type = body.type;
  if (typeof type !== "string" || !NODE_TYPES.includes(type as NodeType)) {
    shape.fail(`${path}.type`, `a supported node type (${NODE_TYPES.join(", ")})`, type);
  }
  const inputs: Record<string, ValueSource> = {};
  for (const [key, value] of Object.entries(shape.optionalRecord(body.inputs, `${path}.inputs`))) {
    inputs[key] = shape.source(value, `${path}.inputs.${key}`);
  }
  const api = body.api;
  if (api !== undefined && api !== null && api !== "chat" && api !== "completion") {
    shape.fail(`${path}.api`, "chat or completion", api);
  }
  return {
    type: type as NodeType,
    source: parseNodeSource(shape, body.source, `${path}.source`),
    inputs,
    connection: shape.optionalString(body.connection, `${path}.connection`),
    api: api === "chat" || api === "completion" ? api : type === "llm" ? "chat" : undefined,
    provider: shape.optionalString(body.provider, `${path}.provider`),
    module: shape.optionalString(body.module, `${path}.module`),
    activate: parseActivate(shape, body.activate, `${path}.activate`),
    aggregation: shape.bool(body.aggregation, `${path}.aggregation`),
  };
}

function parseNodes(shape: FlowShape, raw: unknown, nodeVariants: Record<string, NodeVariants>): FlowNode[] {
  if (!Array.isArray(raw) || raw.length === 0) shape.fail("nodes", "a non-empty list of nodes", raw);
  return raw.map((item, index) => {
    const path = `nodes[${index}]`;
    const body = shape.record(item, path);
    const name = shape.string(body.name, `${path}.name`);
    const nodePath = `${path}(${name})`;
    const useVariants = shape.bool(body.use_variants, `${nodePath}.use_variants`);
    if (!useVariants) return { name, useVariants, jsonPath: nodePath, ...parseNodeBody(shape, body, nodePath) };
    // The body comes from a variant (the default one until resolveVariants picks another).
    const variants = nodeVariants[name];
    if (!variants) shape.fail(`${nodePath}.use_variants`, `a node_variants entry named '${name}'`, undefined);
    const nodeLevel = {
      activate: parseActivate(shape, body.activate, `${nodePath}.activate`),
      aggregation: shape.bool(body.aggregation, `${nodePath}.aggregation`),
    };
    const placeholder: FlowNode = { ...variants.variants[variants.defaultVariantId], name, useVariants, jsonPath: nodePath, nodeLevel };
    return applyVariant(placeholder, variants.defaultVariantId, variants.variants[variants.defaultVariantId]);
  });
}

/** The node carrying `variant`'s body; its name, use_variants and node-level activate/aggregation stay. */
export function applyVariant(node: FlowNode, variantId: string, variant: NodeVariants["variants"][string]): FlowNode {
  const { jsonPath, ...body } = variant;
  return {
    ...body,
    name: node.name,
    useVariants: true,
    nodeLevel: node.nodeLevel,
    variantId,
    jsonPath,
    activate: body.activate ?? node.nodeLevel?.activate,
    aggregation: body.aggregation || (node.nodeLevel?.aggregation ?? false),
  };
}

function parseNodeVariants(shape: FlowShape, raw: unknown): Record<string, NodeVariants> {
  const result: Record<string, NodeVariants> = {};
  for (const [node, spec] of Object.entries(shape.optionalRecord(raw, "node_variants"))) {
    const path = `node_variants.${node}`;
    const body = shape.record(spec, path);
    const variants: NodeVariants["variants"] = {};
    for (const [id, variant] of Object.entries(shape.record(body.variants, `${path}.variants`))) {
      const variantPath = `${path}.variants.${id}.node`;
      const nodeBody = shape.record(shape.record(variant, `${path}.variants.${id}`).node, variantPath);
      variants[id] = { ...parseNodeBody(shape, nodeBody, variantPath), jsonPath: variantPath };
    }
    const defaultVariantId = shape.string(body.default_variant_id, `${path}.default_variant_id`);
    if (!(defaultVariantId in variants)) {
      shape.fail(`${path}.default_variant_id`, `one of the variant ids (${Object.keys(variants).join(", ") || "none declared"})`, defaultVariantId);
    }
    result[node] = { defaultVariantId, variants };
  }
  return result;
}

function parseEnvironmentVariables(shape: FlowShape, raw: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(shape.optionalRecord(raw, "environment_variables"))) {
    if (value === null || typeof value === "object") shape.fail(`environment_variables.${key}`, "a scalar value", value);
    env[key] = String(value);
  }
  return env;
}

/** Pure: the parsed YAML document of `file` (in folder `dir`) → Flow. Semantic checks live in validateFlow. */
export function parseFlow(document: unknown, dir: string, file: string): Flow {
  const shape = new FlowShape(file);
  const root = shape.record(document, "$");
  const environment = shape.optionalRecord(root.environment, "environment");
  const includes = root.additional_includes ?? [];
  if (!Array.isArray(includes) || !includes.every((i) => typeof i === "string")) {
    shape.fail("additional_includes", "a list of paths", includes);
  }
  const nodeVariants = parseNodeVariants(shape, root.node_variants);
  return {
    dir,
    file,
    inputs: parseInputs(shape, root.inputs),
    outputs: parseOutputs(shape, root.outputs),
    nodes: parseNodes(shape, root.nodes, nodeVariants),
    nodeVariants,
    environmentVariables: parseEnvironmentVariables(shape, root.environment_variables),
    environment: {
      pythonRequirementsTxt: shape.optionalString(environment.python_requirements_txt, "environment.python_requirements_txt"),
    },
    additionalIncludes: includes as string[],
  };
}
