/**
 * The engine's side of what Python code asks for mid-call: Prompty calls (run, token estimate, render) go to the
 * PromptyRunner, so they share the run's LlmInvoker (retries, rate limits) and count in the line's token usage;
 * and the connection objects a tool parameter typed as a connection receives.
 */
import type { Connection, TokenUsage } from "../llm/types";
import { addUsage } from "./usage";
import type { PromptyCall, PromptyRunner } from "./prompty";
import type { ConnectionPayload, PythonCall } from "./pythonPool";
import { isRecord } from "../core/values";

function promptyCallOf(request: Record<string, unknown>): PromptyCall {
  const record = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {});
  return { source: String(request.source), model: record(request.model), inputs: record(request.inputs) };
}

/** Answers a worker's requests for one call; the usage of Prompty calls is added to `usage`. */
export function pythonRequestHandler(prompty: PromptyRunner, usage: TokenUsage): NonNullable<PythonCall["onRequest"]> {
  return async (request, signal) => {
    switch (request.op) {
      case "prompty": {
        const result = await prompty.run(promptyCallOf(request), signal);
        addUsage(usage, result.usage);
        return result.output;
      }
      case "prompty_tokens":
        return prompty.estimateTokens(promptyCallOf(request));
      case "prompty_render": {
        const built = prompty.request(promptyCallOf(request));
        return built.api === "chat" ? JSON.stringify(built.messages) : built.api === "completion" ? built.prompt : built.input;
      }
      default:
        throw new Error(`unknown request '${String(request.op)}' from python`);
    }
  };
}

/** A connection as prompt flow's connection classes carry it (snake_case attributes). */
export function connectionPayload(connection: Connection): ConnectionPayload {
  switch (connection.type) {
    case "azure_open_ai":
      return {
        type: "azure_open_ai",
        name: connection.name,
        api_base: connection.apiBase,
        api_version: connection.apiVersion,
        api_type: "azure",
        auth_mode: connection.authMode,
        ...(connection.apiKey !== undefined ? { api_key: connection.apiKey } : {}),
      };
    case "open_ai":
      return {
        type: "open_ai",
        name: connection.name,
        ...(connection.baseUrl !== undefined ? { base_url: connection.baseUrl } : {}),
        ...(connection.apiKey !== undefined ? { api_key: connection.apiKey } : {}),
        ...(connection.organization !== undefined ? { organization: connection.organization } : {}),
      };
    case "custom":
      return { type: "custom", name: connection.name, configs: { ...connection.configs }, secrets: { ...connection.secrets } };
  }
}

/**
 * The connections named by string values among `values`: only those can become connection objects (a parameter
 * typed as a connection receives its name), so no other secret is sent to Python.
 */
export function connectionsNamedIn(values: Record<string, unknown>, connections: Record<string, Connection>): Record<string, ConnectionPayload> | undefined {
  const named: Record<string, ConnectionPayload> = {};
  for (const value of Object.values(values)) {
    if (typeof value === "string" && Object.prototype.hasOwnProperty.call(connections, value)) named[value] = connectionPayload(connections[value]);
  }
  return Object.keys(named).length > 0 ? named : undefined;
}
