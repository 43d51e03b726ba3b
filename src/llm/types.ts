/**
 * Contract between flow nodes (src/flow/) and model clients (src/llm/). Connections are resolved before a run:
 * secret values come from environment variables or Entra ID, never from files, and are never logged.
 */

export interface AzureOpenAIConnection {
  type: "azure_open_ai";
  name: string;
  apiBase: string; // https://<resource>.openai.azure.com or any base URL speaking the same protocol
  apiVersion: string;
  /** key: `api-key` header; meid_token: Entra ID bearer token (scope https://cognitiveservices.azure.com/.default). */
  authMode: "key" | "meid_token";
  apiKey?: string;
  /** The deployment's quota, enforced client-side by the LLM invoker (spec: requests_per_minute, tokens_per_minute). */
  rateLimits?: ConnectionRateLimits;
}

export interface ConnectionRateLimits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

export interface OpenAIConnection {
  type: "open_ai";
  name: string;
  /** Default https://api.openai.com/v1; any OpenAI-compatible server (Ollama, vLLM) works. */
  baseUrl?: string;
  apiKey?: string;
  organization?: string;
  rateLimits?: ConnectionRateLimits;
}

export interface CustomConnection {
  type: "custom";
  name: string;
  configs: Record<string, string>;
  secrets: Record<string, string>;
}

export type Connection = AzureOpenAIConnection | OpenAIConnection | CustomConnection;

export type ChatRole = "system" | "user" | "assistant" | "function" | "tool";

export interface ChatMessage {
  role: ChatRole;
  content: string;
  name?: string;
}

/** Already coerced from the string forms flows often use (`max_tokens: '128'`). */
export interface LlmParameters {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stop?: string[];
  presence_penalty?: number;
  frequency_penalty?: number;
  response_format?: { type: string };
  seed?: number;
}

interface LlmRequestBase {
  connection: Connection;
  /** Azure: the deployment name; OpenAI-compatible: the model name. */
  model: string;
  parameters: LlmParameters;
}

export type LlmRequest =
  | (LlmRequestBase & { api: "chat"; messages: ChatMessage[] })
  | (LlmRequestBase & { api: "completion"; prompt: string })
  /** An embeddings call (prompt flow's embedding tool): `parameters` is empty. */
  | (LlmRequestBase & { api: "embedding"; input: string });

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface LlmResult {
  /** The first choice's text; empty for embeddings. */
  text: string;
  /** The vector of an embeddings call. */
  embedding?: number[];
  usage: TokenUsage;
  /** "stop", "length", ... as the server reported it, when it did. */
  finishReason?: string;
}

/** The calls a model can answer token by token: chat and completion. */
export type StreamableLlmRequest = Exclude<LlmRequest, { api: "embedding" }>;

export interface LlmInvoker {
  invoke(request: LlmRequest, signal?: AbortSignal): Promise<LlmResult>;
  /**
   * The same call streamed (`stream: true`): `onText` receives each piece of the first choice's text as the model
   * produces it; the result still holds the whole text and the usage. Invokers without it answer in one piece.
   */
  stream?(request: StreamableLlmRequest, onText: (text: string) => void, signal?: AbortSignal): Promise<LlmResult>;
}
