import * as fs from "node:fs";
import * as path from "node:path";
import type { Connection, LlmInvoker, StreamableLlmRequest, TokenUsage } from "../llm/types";
import { ConfigError } from "../core/userError";
import { ChatPromptError, escapeRoleMarkers, parseChatPrompt } from "./chatPrompt";
import { coerceLlmParameters, LLM_TOOL_INPUTS, LlmParameterError } from "./llmParameters";
import { packageToolOf, supportedPackageToolsText, type PackageTool } from "./packageTools";
import type { PromptyRunner } from "./prompty";
import { pythonStr } from "./pythonValues";
import type { PythonPool } from "./pythonPool";
import { connectionsNamedIn, pythonRequestHandler } from "./pythonRequests";
import { emptyUsage } from "./usage";
import { createTemplateRenderer, type TemplateRenderer } from "./template";
import type { Flow, FlowNode } from "./types";

/** A node that could not produce an output; `type` becomes the line error's type. */
export class NodeFailure extends Error {
  override readonly name = "NodeFailure";
  constructor(
    readonly type: string,
    message: string,
    /** What the node printed before it failed: kept in the record, where it helps most. */
    readonly stdout = "",
  ) {
    super(message);
  }
}

export interface NodeResult {
  output: unknown;
  usage?: TokenUsage;
  /** From `log_metric` (only aggregation nodes' metrics are reported). */
  metrics?: Record<string, number | string>;
  /** What a python tool printed. */
  stdout?: string;
}

export interface NodeCall {
  node: FlowNode;
  /** Resolved inputs; inputs that read a bypassed node are listed in `bypassed` (and null here). */
  inputs: Record<string, unknown>;
  bypassed: string[];
  signal: AbortSignal;
  /** An LLM node whose answer streams (answerStream.ts): receives its text as the model produces it. */
  onText?: (text: string) => void;
}

export interface NodeRunnerDeps {
  flow: Flow;
  connections: Record<string, Connection>;
  llm: LlmInvoker;
  python: PythonPool;
  /** Serves `Prompty` calls python tools make. */
  prompty: PromptyRunner;
}

export type NodeRunner = (call: NodeCall) => Promise<NodeResult>;

function errorType(err: unknown): string {
  return err instanceof Error && err.name && err.name !== "Error" ? err.name : "NodeError";
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A package tool's connection: the node's `connection:` or its literal `connection` input (how tools take it). */
function nodeConnectionName(node: FlowNode): { name?: string; at: string } {
  if (node.connection) return { name: node.connection, at: `${node.jsonPath}.connection` };
  const input = node.inputs.connection;
  if (node.source.type === "package" && input?.kind === "literal" && typeof input.value === "string") return { name: input.value, at: `${node.jsonPath}.inputs.connection` };
  return { at: `${node.jsonPath}.connection` };
}

/** The connection an llm node names; checked when the executor is created so a run never starts without it. */
function connectionFor(flow: Flow, node: FlowNode, connections: Record<string, Connection>): Connection {
  const known = Object.keys(connections);
  const { name, at } = nodeConnectionName(node);
  if (!name) {
    throw new ConfigError(flow.file, at, `a connection name for ${node.type} node '${node.name}'`, "none");
  }
  const connection = connections[name];
  if (!connection || connection.type === "custom") {
    throw new ConfigError(
      flow.file,
      at,
      `a configured Azure OpenAI or OpenAI connection for ${node.type} node '${node.name}' (configured: ${known.join(", ") || "none"})`,
      connection ? `custom connection '${name}'` : `'${name}'`,
    );
  }
  return connection;
}

function modelFor(node: FlowNode, connection: Connection, inputs: Record<string, unknown>): string {
  const pick = (value: unknown): string | undefined => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);
  const model =
    connection.type === "open_ai"
      ? pick(inputs.model) ?? pick(inputs.deployment_name)
      : pick(inputs.deployment_name) ?? pick(inputs.model);
  if (!model) {
    throw new NodeFailure("ParameterError", `llm node '${node.name}' needs ${connection.type === "open_ai" ? "'model'" : "'deployment_name'"} in its inputs`);
  }
  return model;
}

/**
 * Builds the function that runs one node. Templates are read and connections checked here, once, so every
 * configuration mistake surfaces before the first line.
 */
export function createNodeRunner(deps: NodeRunnerDeps): NodeRunner {
  const { flow } = deps;
  const renderer: TemplateRenderer = createTemplateRenderer(flow.dir);
  const templates = new Map<string, string>();
  const connections = new Map<string, Connection>();
  const tools = new Map<string, PackageTool>();
  for (const node of flow.nodes) {
    if (node.source.type === "package") {
      const tool = packageToolOf(node.source.tool);
      if (!tool) throw new ConfigError(flow.file, `${node.jsonPath}.source.tool`, `a package tool this runner implements (${supportedPackageToolsText})`, `package tool '${node.source.tool}'`);
      tools.set(node.name, tool);
      connections.set(node.name, connectionFor(flow, node, deps.connections));
      continue;
    }
    const file = path.resolve(flow.dir, node.source.path);
    if (node.type !== "python") templates.set(node.name, fs.readFileSync(file, "utf8"));
    if (node.type === "llm") connections.set(node.name, connectionFor(flow, node, deps.connections));
  }

  const render = (node: FlowNode, variables: Record<string, unknown>, template?: string): string => {
    const source = template ?? templates.get(node.name) ?? "";
    const name = node.source.type === "code" ? node.source.path : node.name;
    try {
      return renderer.render(source, variables, name);
    } catch (err) {
      throw new NodeFailure("TemplateError", `node '${node.name}': cannot render ${name}: ${errorMessage(err)}`);
    }
  };

  /** An llm node, or the LLM package tool (its template is the `prompt` input, its api the tool's). */
  const runLlm = async (call: NodeCall, tool?: Extract<PackageTool, { kind: "llm" }>): Promise<NodeResult> => {
    const { node, inputs } = call;
    const connection = connections.get(node.name);
    if (!connection) throw new NodeFailure("NodeError", `llm node '${node.name}' has no connection`);
    const variables: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(inputs)) if (!LLM_TOOL_INPUTS.has(key) && !(tool && (key === "prompt" || key === "connection"))) variables[key] = value;
    const template = tool ? String(inputs.prompt ?? "") : undefined;
    const api = tool ? tool.api : node.api;
    let parameters;
    try {
      parameters = coerceLlmParameters(inputs);
    } catch (err) {
      if (err instanceof LlmParameterError) throw new NodeFailure("ParameterError", `llm node '${node.name}': ${err.message}`);
      throw err;
    }
    const model = modelFor(node, connection, inputs);
    let request: StreamableLlmRequest;
    if (api === "completion") {
      request = { api: "completion", connection, model, parameters, prompt: render(node, variables, template) };
    } else {
      const escaped = escapeRoleMarkers(variables);
      const rendered = render(node, escaped.values, template);
      try {
        request = { api: "chat", connection, model, parameters, messages: parseChatPrompt(rendered, escaped.originals) };
      } catch (err) {
        if (err instanceof ChatPromptError) throw new NodeFailure("TemplateError", `llm node '${node.name}': ${err.message}`);
        throw err;
      }
    }
    try {
      const result = call.onText && deps.llm.stream ? await deps.llm.stream(request, call.onText, call.signal) : await deps.llm.invoke(request, call.signal);
      return { output: result.text, usage: result.usage };
    } catch (err) {
      throw new NodeFailure(errorType(err), `llm node '${node.name}': ${errorMessage(err)}`);
    }
  };

  const runPython = async (call: NodeCall): Promise<NodeResult> => {
    const { node } = call;
    if (node.source.type !== "code") throw new NodeFailure("NodeError", `node '${node.name}' has no code source`);
    const usage = emptyUsage();
    const connections = connectionsNamedIn(call.inputs, deps.connections);
    const result = await deps.python.call(
      {
        toolPath: path.resolve(flow.dir, node.source.path),
        kwargs: call.inputs,
        bypassed: call.bypassed,
        cwd: flow.dir,
        env: flow.environmentVariables,
        ...(connections ? { connections } : {}),
        onRequest: pythonRequestHandler(deps.prompty, usage),
      },
      call.signal,
    );
    if (result.ok) return { output: result.result, metrics: result.metrics, stdout: result.stdout, ...(usage.totalTokens > 0 ? { usage } : {}) };
    const { type, message, traceback } = result.error;
    const detail = traceback ? `\n${traceback.trimEnd()}` : "";
    const kind = type === "WorkerCrashed" || type === "Timeout" || type === "Aborted" ? type : "NodeError";
    throw new NodeFailure(kind, `python node '${node.name}' failed: ${type}: ${message}${detail}`, result.stdout);
  };

  const runEmbedding = async (call: NodeCall): Promise<NodeResult> => {
    const { node, inputs } = call;
    const connection = connections.get(node.name);
    if (!connection) throw new NodeFailure("NodeError", `node '${node.name}' has no connection`);
    const pick = (value: unknown): string | undefined => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);
    const model = connection.type === "open_ai" ? pick(inputs.model) ?? "text-embedding-ada-002" : pick(inputs.deployment_name);
    if (!model) throw new NodeFailure("ParameterError", `embedding node '${node.name}' needs 'deployment_name' in its inputs`);
    try {
      const result = await deps.llm.invoke({ api: "embedding", connection, model, parameters: {}, input: pythonStr(inputs.input ?? "") }, call.signal);
      return { output: result.embedding ?? [], usage: result.usage };
    } catch (err) {
      throw new NodeFailure(errorType(err), `embedding node '${node.name}': ${errorMessage(err)}`);
    }
  };

  return async (call) => {
    const tool = tools.get(call.node.name);
    if (tool) return tool.kind === "embedding" ? runEmbedding(call) : runLlm(call, tool);
    switch (call.node.type) {
      case "prompt":
        return { output: render(call.node, call.inputs) };
      case "llm":
        return runLlm(call);
      case "python":
        return runPython(call);
    }
  };
}
