/**
 * A local OpenAI-compatible server for tests: Azure OpenAI paths
 * (`/openai/deployments/{name}/chat/completions?api-version=...`, `/completions`) and OpenAI paths
 * (`/v1/chat/completions`, `/v1/completions`), and embeddings (`.../embeddings`, `/v1/embeddings`) on 127.0.0.1 with an ephemeral port. Answers are deterministic (an
 * echo of the last user message or prompt unless a rule is given), auth is checked, faults can be queued for the
 * next requests, and every request is logged for assertions. A request with `stream: true` is answered as the real
 * services stream: server-sent events, one chunk per word, `[DONE]` last (see `streamAnswer`).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { listenOnLoopback } from "./loopbackServer";
import { isRecord } from "../../src/core/values";
import type { RateLimits } from "../../src/azure/http/rateLimiter";
import type { AzureOpenAIConnection } from "../../src/llm/types";

export type FakeFault =
  /** Answer with this status (e.g. 429 with `{"retry-after": "2"}`, 500, or a 400 content-filter body). */
  | { kind: "status"; status: number; headers?: Record<string, string>; body?: unknown }
  /** Never answer: the client's timeout has to fire. */
  | { kind: "hang" }
  /** 200 with a body that is not JSON. */
  | { kind: "malformed" }
  /** Close the connection without a response: a network error for the client. */
  | { kind: "drop" }
  /** A streamed answer that sends `afterChunks` word chunks, then an `{error}` event (as OpenAI fails mid-stream) and ends. */
  | { kind: "streamError"; afterChunks: number; message?: string }
  /** A streamed answer whose connection closes after `afterChunks` word chunks, without `[DONE]`. */
  | { kind: "streamDrop"; afterChunks: number };

export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names. Test-only: holds the keys the client sent, so tests can assert on auth. */
  headers: Record<string, string>;
  body: Record<string, unknown>;
  flavor: "azure" | "openai";
  api: "chat" | "completion" | "embedding";
  /** Azure deployment from the path, or the OpenAI `model` field. */
  model: string;
}

export interface FakeAnswer {
  text: string | null;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  finishReason?: string;
}

export interface FakeOpenAiServerOptions {
  /** Accepted as the Azure `api-key` header or an `Authorization: Bearer` token. Unset: no auth check. */
  apiKey?: string;
  /** Additional accepted bearer token (an Entra ID token for Azure `meid_token` mode). */
  bearerToken?: string;
  /** The answer rule; default echoes the last user message (chat) or the prompt (completion). */
  answer?: (request: FakeRequest) => string | FakeAnswer | Promise<string | FakeAnswer>;
  /** Delay before each answer, to model a real endpoint's latency. */
  latencyMs?: number;
  /** Leave `usage` out of responses, as some OpenAI-compatible servers do. */
  omitUsage?: boolean;
  /** Keep the request log (default true; benchmarks turn it off). */
  logRequests?: boolean;
  /**
   * Azure OpenAI's quota: `requests` answered per fixed window of `windowMs` (60 000 for a per-minute quota, 1 000
   * for the per-second enforcement Azure also applies), then 429 with `retry-after-ms` and `retry-after` until the
   * window ends. `now` is the server's clock in ms (a benchmark passes a scaled one); default Date.now.
   */
  quota?: { requests: number; windowMs: number; now?: () => number };
  /** Streamed answers: the wait between two chunks, to model a model producing tokens. */
  chunkDelayMs?: number;
}

export interface FakeOpenAiServer {
  /** http://127.0.0.1:<port>: an Azure connection's api_base. */
  url: string;
  /** `${url}/v1`: an OpenAI connection's base_url. */
  openAiBaseUrl: string;
  requests: FakeRequest[];
  /** Queue faults; each of the next requests consumes one, in order. */
  fail(...faults: FakeFault[]): void;
  /** Requests being answered right now and the most seen at once. */
  inFlight(): { now: number; max: number };
  /** With a quota: requests it admitted and requests it refused with 429. */
  quotaCounts(): { admitted: number; throttled: number };
  /**
   * Streamed answers from now on send every word but wait to send their last chunk (finish_reason, usage, `[DONE]`)
   * until the returned function is called: a test proves a client saw words before the model finished.
   */
  holdStreamEnds(): () => void;
  /** Streamed answers whose last chunk has been sent. */
  streamsEnded(): number;
  /** Streamed answers whose client closed the connection before their end (a cancelled stream). */
  streamsAbandoned(): number;
  close(): Promise<void>;
}

function countWords(text: string): number {
  const words = text.trim().split(/\s+/);
  return words[0] === "" ? 0 : words.length;
}

function defaultAnswer(request: FakeRequest): string {
  if (request.api === "completion") return String(request.body.prompt ?? "");
  const messages = Array.isArray(request.body.messages) ? (request.body.messages as { role?: unknown; content?: unknown }[]) : [];
  const lastUser = [...messages].reverse().find((message) => message.role === "user");
  return typeof lastUser?.content === "string" ? lastUser.content : "";
}

/** A deterministic 8-dimensional vector from the text: equal texts embed equally, different ones differ. */
export function fakeEmbedding(text: string): number[] {
  const vector = new Array<number>(8).fill(0);
  for (let index = 0; index < text.length; index++) vector[index % 8] += text.charCodeAt(index) / 1000;
  return vector.map((value) => Math.round(value * 1000) / 1000);
}

function promptText(request: FakeRequest): string {
  if (request.api === "completion") return String(request.body.prompt ?? "");
  if (request.api === "embedding") return String(request.body.input ?? "");
  const messages = Array.isArray(request.body.messages) ? (request.body.messages as { content?: unknown }[]) : [];
  return messages.map((message) => (typeof message.content === "string" ? message.content : "")).join(" ");
}

function route(path: string): { flavor: "azure" | "openai"; api: FakeRequest["api"]; deployment?: string } | undefined {
  const azure = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|completions|embeddings)$/.exec(path);
  if (azure) return { flavor: "azure", api: azure[2] === "completions" ? "completion" : azure[2] === "embeddings" ? "embedding" : "chat", deployment: decodeURIComponent(azure[1]) };
  if (path === "/v1/embeddings") return { flavor: "openai", api: "embedding" };
  if (path === "/v1/chat/completions") return { flavor: "openai", api: "chat" };
  if (path === "/v1/completions") return { flavor: "openai", api: "completion" };
  return undefined;
}

interface StreamPlan {
  api: FakeRequest["api"];
  flavor: FakeRequest["flavor"];
  model: string;
  answer: FakeAnswer;
  usage: FakeAnswer["usage"];
  fault: FakeFault | undefined;
  chunkDelayMs: number;
  /** Awaited before the last chunk (holdStreamEnds), and counts it. */
  streamEnd: () => Promise<void>;
  /** The client closed the connection mid-answer. */
  abandoned: () => void;
}

/**
 * A streamed answer as Azure OpenAI sends one: Azure's prompt-filter chunk without choices, the role, one chunk per
 * word (its leading space included), the finish_reason, the usage chunk when asked for, then `[DONE]`.
 */
async function streamAnswer(res: ServerResponse, plan: StreamPlan): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
  let closed = false;
  res.on("close", () => {
    if (res.writableEnded) return;
    closed = true;
    plan.abandoned();
  });
  const base = { id: "chatcmpl-fake", object: plan.api === "chat" ? "chat.completion.chunk" : "text_completion", created: 1, model: plan.model };
  const send = (data: unknown): void => {
    res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
  };
  const choice = (delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> =>
    plan.api === "chat" ? { index: 0, delta, finish_reason: finishReason } : { index: 0, text: delta.content ?? "", finish_reason: finishReason };
  const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, plan.chunkDelayMs));
  if (plan.flavor === "azure") send({ id: "", object: "", created: 0, model: "", choices: [], prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] });
  if (plan.api === "chat") send({ ...base, choices: [choice({ role: "assistant", content: "" })] });
  const words = (plan.answer.text ?? "").match(/\s*\S+/g) ?? [];
  for (const [index, word] of words.entries()) {
    await pause();
    if (closed) return;
    if (plan.fault?.kind === "streamError" && index === plan.fault.afterChunks) {
      send({ error: { code: "server_error", message: plan.fault.message ?? "The server had an error while processing your request." } });
      res.end();
      return;
    }
    if (plan.fault?.kind === "streamDrop" && index === plan.fault.afterChunks) {
      res.socket?.destroy();
      return;
    }
    send({ ...base, choices: [choice({ content: word })] });
  }
  await pause();
  await plan.streamEnd();
  if (closed) return;
  send({ ...base, choices: [choice({}, plan.answer.finishReason ?? "stop")] });
  if (plan.usage) send({ ...base, choices: [], usage: plan.usage });
  send("[DONE]");
  res.end();
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startFakeOpenAiServer(options: FakeOpenAiServerOptions = {}): Promise<FakeOpenAiServer> {
  const faults: FakeFault[] = [];
  const requests: FakeRequest[] = [];
  let now = 0;
  let max = 0;
  const quotaClock = options.quota?.now ?? Date.now;
  const quotaStart = quotaClock();
  const quotaCounts = { admitted: 0, throttled: 0, window: 0, usedInWindow: 0 };
  /** Undefined when admitted; else the ms left in the current window. */
  const overQuota = (): number | undefined => {
    if (!options.quota) return undefined;
    const elapsed = quotaClock() - quotaStart;
    const window = Math.floor(elapsed / options.quota.windowMs);
    if (window !== quotaCounts.window) {
      quotaCounts.window = window;
      quotaCounts.usedInWindow = 0;
    }
    if (quotaCounts.usedInWindow < options.quota.requests) {
      quotaCounts.usedInWindow++;
      quotaCounts.admitted++;
      return undefined;
    }
    quotaCounts.throttled++;
    return (window + 1) * options.quota.windowMs - elapsed;
  };

  const authorised = (flavor: "azure" | "openai", headers: Record<string, string>): boolean => {
    if (options.apiKey === undefined && options.bearerToken === undefined) return true;
    const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? "")?.[1];
    if (bearer !== undefined && (bearer === options.apiKey || bearer === options.bearerToken)) return true;
    return flavor === "azure" && options.apiKey !== undefined && headers["api-key"] === options.apiKey;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const target = route(url.pathname);
    const text = await readBody(req);
    if (!target || req.method !== "POST") {
      sendJson(res, 404, { error: { code: "NotFound", message: `no route for ${req.method} ${url.pathname}` } });
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers[name] = value;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      sendJson(res, 400, { error: { code: "BadRequest", message: "request body is not JSON" } });
      return;
    }
    const query = Object.fromEntries(url.searchParams.entries());
    const model = target.deployment ?? String(body.model ?? "");
    const logged: FakeRequest = { method: req.method, path: url.pathname, query, headers, body, flavor: target.flavor, api: target.api, model };
    if (options.logRequests !== false) requests.push(logged);

    const fault = faults.shift();
    if (fault?.kind === "hang") return; // the client times out; close() ends the socket
    if (fault?.kind === "drop") {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "malformed") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"choices": [ {"message": ');
      return;
    }
    if (fault?.kind === "status") {
      sendJson(res, fault.status, fault.body ?? { error: { code: String(fault.status), message: `injected HTTP ${fault.status}` } }, fault.headers);
      return;
    }
    if (!authorised(target.flavor, headers)) {
      sendJson(res, 401, { error: { code: "401", message: "Access denied due to invalid subscription key or wrong API endpoint." } });
      return;
    }
    if (target.flavor === "azure" && !query["api-version"]) {
      sendJson(res, 404, { error: { code: "404", message: "Resource not found (api-version missing)" } });
      return;
    }

    const throttledFor = overQuota();
    if (throttledFor !== undefined) {
      const seconds = Math.max(1, Math.ceil(throttledFor / 1000));
      sendJson(
        res,
        429,
        { error: { code: "429", message: `Requests to the ChatCompletions_Create Operation have exceeded call rate limit of your current OpenAI S0 pricing tier. Please retry after ${seconds} seconds.` } },
        { "retry-after-ms": String(Math.ceil(throttledFor)), "retry-after": String(seconds) },
      );
      return;
    }

    if (target.api === "embedding") {
      const tokens = countWords(promptText(logged));
      sendJson(res, 200, { object: "list", model, data: [{ object: "embedding", index: 0, embedding: fakeEmbedding(promptText(logged)) }], usage: { prompt_tokens: tokens, total_tokens: tokens } });
      return;
    }

    const streamed = body.stream === true;
    if (streamed && body.stream_options !== undefined && target.flavor === "azure" && String(query["api-version"]).slice(0, 10) < "2024-09-01") {
      // What Azure OpenAI answers an api-version that predates stream_options.
      sendJson(res, 400, { error: { code: null, message: "Unrecognized request argument supplied: stream_options", param: null, type: "invalid_request_error" } });
      return;
    }

    now++;
    max = Math.max(max, now);
    try {
      if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
      const ruled = await (options.answer ?? defaultAnswer)(logged);
      const answer: FakeAnswer = typeof ruled === "string" ? { text: ruled } : ruled;
      const promptTokens = countWords(promptText(logged));
      const completionTokens = countWords(answer.text ?? "");
      const usage =
        answer.usage === undefined
          ? { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens }
          : answer.usage;
      if (streamed) {
        const includeUsage = isRecord(body.stream_options) && body.stream_options.include_usage === true;
        await streamAnswer(res, { api: target.api, flavor: target.flavor, model, answer, usage: includeUsage && !options.omitUsage ? usage : null, fault, chunkDelayMs: options.chunkDelayMs ?? 0, streamEnd, abandoned: () => void streamsAbandoned++ });
        return;
      }
      const choice =
        target.api === "chat"
          ? { index: 0, message: { role: "assistant", content: answer.text }, finish_reason: answer.finishReason ?? "stop" }
          : { index: 0, text: answer.text, finish_reason: answer.finishReason ?? "stop" };
      const response: Record<string, unknown> = {
        id: `fake-${requests.length}`,
        object: target.api === "chat" ? "chat.completion" : "text_completion",
        model,
        choices: [choice],
      };
      if (!options.omitUsage && usage !== null) response.usage = usage;
      sendJson(res, 200, response);
    } finally {
      now--;
    }
  };

  let held: Promise<void> | undefined;
  let streamsEnded = 0;
  let streamsAbandoned = 0;
  const streamEnd = async (): Promise<void> => {
    await held;
    streamsEnded++;
  };

  const server = await listenOnLoopback(handle, (res, err) => sendJson(res, 500, { error: { code: "FakeServerError", message: String(err) } }));
  const { url } = server;
  return {
    url,
    openAiBaseUrl: `${url}/v1`,
    requests,
    fail: (...queued) => {
      faults.push(...queued);
    },
    inFlight: () => ({ now, max }),
    quotaCounts: () => ({ admitted: quotaCounts.admitted, throttled: quotaCounts.throttled }),
    holdStreamEnds: () => {
      let release = (): void => undefined;
      held = new Promise<void>((resolve) => {
        release = () => {
          held = undefined;
          resolve();
        };
      });
      return release;
    },
    streamsEnded: () => streamsEnded,
    streamsAbandoned: () => streamsAbandoned,
    close: () => server.close(),
  };
}

/** An Azure OpenAI connection to `server` named "aoai" (key auth), with the quota the client is told, if any. */
export function azureConnectionTo(server: Pick<FakeOpenAiServer, "url">, apiKey: string, rateLimits?: RateLimits): AzureOpenAIConnection {
  return { type: "azure_open_ai", name: "aoai", apiBase: server.url, apiVersion: "2024-06-01", authMode: "key", apiKey, ...(rateLimits ? { rateLimits } : {}) };
}

