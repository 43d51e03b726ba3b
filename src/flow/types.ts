/**
 * A prompt flow (`flow.dag.yaml`) as plain typed data. Built by src/flow/parseFlow.ts, checked by
 * src/flow/validateFlow.ts, executed by src/flow/executor.ts. Nothing here does I/O.
 */

/** What a flow path holds: a DAG (`flow.dag.yaml`), a flex flow (`flow.flex.yaml`) or a `.prompty` file. */
export type FlowKind = "dag" | "flex" | "prompty";

/** A file of a flow folder, hashed. */
export interface FlowFolderFile {
  /** POSIX path relative to the flow folder. */
  relativePath: string;
  absolutePath: string;
  sha256: string;
}

export type FlowInputType = "string" | "int" | "double" | "bool" | "list" | "object" | "chat_history";

export interface FlowInput {
  name: string;
  type: FlowInputType;
  /** `undefined` when the YAML has no default (or a null one): the input is then required. */
  default?: unknown;
  isChatInput: boolean;
}

/**
 * Where a value comes from: a YAML literal, a flow input (`${inputs.x}`) or a node's output, optionally a nested
 * key of it (`${node.output.key.sub}` → path ["key", "sub"]). `text` keeps the original spelling for messages.
 */
export type ValueSource =
  | { kind: "literal"; value: unknown }
  | { kind: "input"; name: string; text: string }
  | { kind: "node"; node: string; path: string[]; text: string };

export type NodeReference = Extract<ValueSource, { kind: "node" }>;

export interface FlowOutput {
  name: string;
  type?: string;
  source: Exclude<ValueSource, { kind: "literal" }>;
  /** `is_chat_output`: the answer of a chat flow, streamed to clients that accept server-sent events. */
  isChatOutput: boolean;
}

export type NodeType = "llm" | "prompt" | "python";

export type NodeSource = { type: "code"; path: string } | { type: "package"; tool: string };

export interface ActivateConfig {
  when: ValueSource;
  /** Compared with Python `==` semantics against the resolved `when` value. */
  is: unknown;
}

/** The body of a node: what a variant replaces. */
export interface NodeBody {
  type: NodeType;
  source: NodeSource;
  inputs: Record<string, ValueSource>;
  connection?: string;
  api?: "chat" | "completion";
  provider?: string;
  module?: string;
  activate?: ActivateConfig;
  aggregation: boolean;
}

export interface FlowNode extends NodeBody {
  name: string;
  useVariants: boolean;
  /** For `use_variants` nodes: the variant whose body this node carries. */
  variantId?: string;
  /** For `use_variants` nodes: activate/aggregation written on the node itself, kept when a variant is applied. */
  nodeLevel?: { activate?: ActivateConfig; aggregation: boolean };
  /** JSON path of the node in the flow file, for error messages (e.g. `nodes[2]`). */
  jsonPath: string;
}

export interface NodeVariants {
  defaultVariantId: string;
  /** Variant id → body (the node's name comes from the node that uses the variants). */
  variants: Record<string, NodeBody & { jsonPath: string }>;
}

export interface Flow {
  /** Absolute flow folder. */
  dir: string;
  /** Absolute path of flow.dag.yaml, named in every error. */
  file: string;
  inputs: Record<string, FlowInput>;
  outputs: Record<string, FlowOutput>;
  nodes: FlowNode[];
  nodeVariants: Record<string, NodeVariants>;
  environmentVariables: Record<string, string>;
  environment: { pythonRequirementsTxt?: string };
  additionalIncludes: string[];
}
