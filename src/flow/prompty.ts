/**
 * Prompty execution: a `.prompty` file's model (api, configuration by connection name or `${env:VAR}` values,
 * parameters, response format), its inputs with defaults and its Jinja body with role lines, turned into one model
 * call through the shared LlmInvoker. Used when a prompty runs as a flow and when Python code calls
 * `Prompty.load(...)(**inputs)` (the worker forwards the call here).
 */
import * as path from "node:path";
import type { AzureOpenAIConnection, Connection, LlmInvoker, LlmRequest, OpenAIConnection, TokenUsage } from "../llm/types";
import { estimateTokens } from "../llm/tokenEstimate";
import type { Environment } from "../llm/connections";
import { ChatPromptError, escapeRoleMarkers, parseChatPrompt } from "./chatPrompt";
import { coerceLlmParameters, LlmParameterError } from "./llmParameters";
import { resolveFileReferences } from "./flowFolder";
import { readPromptyFile, type PromptyFile } from "./promptyFile";
import { createTemplateRenderer, type TemplateRenderer } from "./template";
import { isRecord } from "../core/values";

/** A prompty call that cannot be made or whose answer is unusable; fails the line (or raises in Python). */
export class PromptyError extends Error {
  override readonly name: string = "PromptyError";
}

/** The front matter's `model`, with a caller's override (`Prompty.load(model=...)`) merged key by key. */
export function mergedModel(frontMatter: Record<string, unknown>, override: Record<string, unknown> = {}): Record<string, unknown> {
  const base = isRecord(frontMatter.model) ? frontMatter.model : {};
  const merged: Record<string, unknown> = { ...base, ...override };
  for (const key of ["configuration", "parameters"]) {
    if (isRecord(base[key]) && isRecord(override[key])) merged[key] = { ...base[key], ...override[key] };
  }
  return merged;
}

const envReference = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

function resolveEnv(value: unknown, field: string, file: string, environment: Environment): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  return String(value).replace(envReference, (_match, name: string) => {
    const resolved = environment[name];
    if (resolved === undefined || resolved === "") throw new PromptyError(`${file}: model.configuration.${field} needs environment variable ${name}, which is not set`);
    return resolved;
  });
}

/** The connection and model (deployment) a prompty's `model.configuration` names. */
export function connectionOfConfiguration(
  configuration: Record<string, unknown>,
  connections: Record<string, Connection>,
  environment: Environment,
  file: string,
): { connection: Connection; model: string } {
  const value = (field: string): string | undefined => resolveEnv(configuration[field], field, file, environment);
  const named = value("connection");
  const deployment = value("azure_deployment") ?? value("model") ?? value("deployment_name");
  if (named !== undefined) {
    const connection = connections[named];
    if (!connection) throw new PromptyError(`${file}: model.configuration.connection '${named}' is not defined (defined: ${Object.keys(connections).join(", ") || "none"})`);
    if (connection.type === "custom") throw new PromptyError(`${file}: connection '${named}' is a custom connection; a prompty needs an Azure OpenAI or OpenAI connection`);
    if (!deployment) throw new PromptyError(`${file}: model.configuration needs ${connection.type === "open_ai" ? "model" : "azure_deployment"}`);
    return { connection, model: deployment };
  }
  const type = value("type") ?? (configuration.azure_endpoint !== undefined ? "azure_openai" : "openai");
  if (type === "azure_openai") {
    const apiBase = value("azure_endpoint");
    if (!apiBase) throw new PromptyError(`${file}: model.configuration needs a connection or azure_endpoint`);
    if (!deployment) throw new PromptyError(`${file}: model.configuration needs azure_deployment`);
    const apiKey = value("api_key");
    const connection: AzureOpenAIConnection = {
      type: "azure_open_ai",
      name: apiBase,
      apiBase,
      apiVersion: value("api_version") ?? "2024-06-01",
      authMode: apiKey ? "key" : "meid_token",
      ...(apiKey ? { apiKey } : {}),
    };
    return { connection, model: deployment };
  }
  if (type === "openai") {
    if (!deployment) throw new PromptyError(`${file}: model.configuration needs model`);
    const baseUrl = value("base_url");
    const apiKey = value("api_key");
    const organization = value("organization");
    const connection: OpenAIConnection = {
      type: "open_ai",
      name: baseUrl ?? "openai",
      ...(baseUrl ? { baseUrl } : {}),
      ...(apiKey ? { apiKey } : {}),
      ...(organization ? { organization } : {}),
    };
    return { connection, model: deployment };
  }
  throw new PromptyError(`${file}: model.configuration.type must be azure_openai or openai, found '${type}'`);
}

/**
 * Declared inputs with their defaults applied; a missing input without default is an error. A call without inputs
 * takes the front matter's `sample` (a mapping or `${file:sample.json}`), as prompt flow does.
 */
function promptyInputs(prompty: PromptyFile, given: Record<string, unknown>): Record<string, unknown> {
  const declared = isRecord(prompty.frontMatter.inputs) ? prompty.frontMatter.inputs : {};
  const sample = Object.keys(given).length === 0 ? resolveFileReferences(prompty.frontMatter.sample, path.dirname(prompty.file), prompty.file) : undefined;
  const values: Record<string, unknown> = { ...(isRecord(sample) ? sample : {}), ...given };
  for (const [name, spec] of Object.entries(declared)) {
    if (values[name] !== undefined && values[name] !== null) continue;
    const fallback = isRecord(spec) ? spec.default : spec;
    if (fallback === undefined || fallback === null) throw new PromptyError(`${prompty.file}: input '${name}' is missing and has no default`);
    values[name] = fallback;
  }
  return values;
}

export interface PromptyCall {
  /** Absolute path of the .prompty file. */
  source: string;
  /** `Prompty.load(model=...)`: overrides merged over the front matter's model. */
  model?: Record<string, unknown>;
  inputs: Record<string, unknown>;
}

export interface PromptyResult {
  /** The first choice's text, or the parsed JSON object for `response_format: json_object`. */
  output: unknown;
  usage: TokenUsage;
}

export interface PromptyRunner {
  run(call: PromptyCall, signal?: AbortSignal): Promise<PromptyResult>;
  /** The request a call would send (rendered messages), without calling the model. */
  request(call: PromptyCall): LlmRequest;
  estimateTokens(call: PromptyCall): number;
}

export interface PromptyRunnerDeps {
  connections: Record<string, Connection>;
  llm: LlmInvoker;
  /** Where `${env:VAR}` in a model configuration is read from. */
  environment: Environment;
}

/** Prompty files are read once per runner (per run), templates compiled by the shared renderer. */
export function createPromptyRunner(deps: PromptyRunnerDeps): PromptyRunner {
  const files = new Map<string, PromptyFile>();
  const renderers = new Map<string, TemplateRenderer>();
  const cached = <T>(cache: Map<string, T>, key: string, make: (key: string) => T): T => {
    const found = cache.get(key);
    if (found !== undefined) return found;
    const made = make(key);
    cache.set(key, made);
    return made;
  };
  const load = (source: string): PromptyFile => cached(files, source, readPromptyFile);
  const rendererFor = (dir: string): TemplateRenderer => cached(renderers, dir, createTemplateRenderer);

  const request = (call: PromptyCall): LlmRequest => {
    const prompty = load(call.source);
    const model = mergedModel(prompty.frontMatter, call.model);
    const configuration = isRecord(model.configuration) ? model.configuration : {};
    const { connection, model: deployment } = connectionOfConfiguration(configuration, deps.connections, deps.environment, prompty.file);
    let parameters;
    try {
      parameters = coerceLlmParameters(isRecord(model.parameters) ? model.parameters : {});
    } catch (err) {
      if (err instanceof LlmParameterError) throw new PromptyError(`${prompty.file}: model.parameters: ${err.message}`);
      throw err;
    }
    const inputs = promptyInputs(prompty, call.inputs);
    const renderer = rendererFor(path.dirname(prompty.file));
    const render = (values: Record<string, unknown>): string => {
      try {
        return renderer.render(prompty.body, values, prompty.file);
      } catch (err) {
        throw new PromptyError(`${prompty.file}: cannot render the body (from line ${prompty.bodyLine}): ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    if (model.api === "completion") return { api: "completion", connection, model: deployment, parameters, prompt: render(inputs) };
    const escaped = escapeRoleMarkers(inputs);
    try {
      return { api: "chat", connection, model: deployment, parameters, messages: parseChatPrompt(render(escaped.values), escaped.originals) };
    } catch (err) {
      if (err instanceof ChatPromptError) throw new PromptyError(`${prompty.file}: ${err.message}`);
      throw err;
    }
  };

  return {
    request,
    estimateTokens: (call) => estimateTokens(request(call)),
    async run(call, signal) {
      const built = request(call);
      const result = await deps.llm.invoke(built, signal);
      if (built.parameters.response_format?.type !== "json_object") return { output: result.text, usage: result.usage };
      let parsed: unknown;
      try {
        parsed = JSON.parse(result.text);
      } catch {
        throw new PromptyError(`${call.source}: response_format is json_object but the answer is not JSON: ${result.text.slice(0, 200)}`);
      }
      const declared = isRecord(load(call.source).frontMatter.outputs) ? Object.keys(load(call.source).frontMatter.outputs as object) : [];
      if (declared.length > 0 && isRecord(parsed)) {
        const picked: Record<string, unknown> = {};
        for (const name of declared) {
          if (!(name in parsed)) throw new PromptyError(`${call.source}: the answer has no output '${name}'`);
          picked[name] = parsed[name];
        }
        parsed = picked;
      }
      return { output: parsed, usage: result.usage };
    },
  };
}
