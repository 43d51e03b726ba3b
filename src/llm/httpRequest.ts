/**
 * Where an LlmRequest goes and what body it sends: pure, so URL shapes and parameter mapping are tested without
 * a server. Azure OpenAI names the deployment in the path and the API version in the query; OpenAI-compatible
 * servers (OpenAI, Ollama, vLLM) name the model in the body.
 */
import { UserError } from "../core/userError";
import type { LlmParameters, LlmRequest } from "./types";

export const defaultOpenAiBaseUrl = "https://api.openai.com/v1";

export interface LlmHttpRequest {
  url: string;
  body: Record<string, unknown>;
}

function trimSlashes(url: string): string {
  return url.replace(/\/+$/, "");
}

function operationPath(api: LlmRequest["api"]): string {
  return api === "chat" ? "chat/completions" : api === "embedding" ? "embeddings" : "completions";
}

/** Only parameters the flow set are sent, so the server's defaults apply to the rest. */
export function parameterBody(parameters: LlmParameters, api: LlmRequest["api"]): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const { stop, response_format: responseFormat, ...numeric } = parameters;
  for (const [name, value] of Object.entries(numeric)) if (value !== undefined) body[name] = value;
  if (stop !== undefined && stop.length > 0) body.stop = stop;
  // The completions API has no response_format; sending it earns a 400.
  if (responseFormat !== undefined && api === "chat") body.response_format = responseFormat;
  return body;
}

export function llmHttpRequest(request: LlmRequest): LlmHttpRequest {
  const { connection } = request;
  const payload = request.api === "chat" ? { messages: request.messages } : request.api === "embedding" ? { input: request.input } : { prompt: request.prompt };
  const parameters = parameterBody(request.parameters, request.api);
  switch (connection.type) {
    case "azure_open_ai": {
      const deployment = encodeURIComponent(request.model);
      const version = encodeURIComponent(connection.apiVersion);
      return {
        url: `${trimSlashes(connection.apiBase)}/openai/deployments/${deployment}/${operationPath(request.api)}?api-version=${version}`,
        body: { ...payload, ...parameters },
      };
    }
    case "open_ai":
      return {
        url: `${trimSlashes(connection.baseUrl ?? defaultOpenAiBaseUrl)}/${operationPath(request.api)}`,
        body: { model: request.model, ...payload, ...parameters },
      };
    case "custom":
      throw new UserError(`connection '${connection.name}' is a custom connection; LLM calls need an Azure OpenAI or OpenAI connection`);
  }
}
