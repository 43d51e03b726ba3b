/**
 * One HTTP exchange, no retries: the part of fetchJson that touches the network. The default sends with
 * node:http/https over keep-alive agents; an injected `fetch` (tests, proxies, custom dispatchers) is used
 * instead when given. Measured on this project's 2-core machines, 64 concurrent JSON calls to a local server
 * cost 0.19-0.45 ms of CPU each through node:http and 1.1-1.8 ms through the global fetch (undici's web
 * streams), which capped an LLM bulk run at a few hundred lines/s; hence node:http by default.
 */
import http from "node:http";
import https from "node:https";

export interface RawResponse {
  status: number;
  statusText: string;
  headers: Headers;
  text: string;
}

export interface RawRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Aborts the exchange, including a response body still arriving. */
  signal: AbortSignal;
  /** A longer response body fails the exchange with ResponseTooLarge, before it is held in memory whole. */
  maxBodyBytes: number;
}

/**
 * One model answer of hundreds of megabytes would otherwise end the whole run (a string over V8's limit throws
 * ERR_STRING_TOO_LONG far from here, and again when --resume reads it back). 16 MB is far above any real answer.
 */
export const defaultMaxResponseBytes = 16 * 1024 * 1024;

export class ResponseTooLarge extends Error {
  override readonly name = "ResponseTooLarge";
  constructor(readonly limitBytes: number) {
    super(`the response body exceeds ${Math.round(limitBytes / (1024 * 1024))} MB (the limit for one response)`);
  }
}

export type Transport = (url: string, request: RawRequest) => Promise<RawResponse>;

/** A response whose body is read as it arrives (an event stream): the request's signal still aborts it. */
export interface StreamingResponse {
  status: number;
  statusText: string;
  headers: Headers;
  body: AsyncIterable<Uint8Array>;
}

/** One exchange that resolves at the response head, leaving the body to its reader. */
export type StreamingTransport = (url: string, request: Omit<RawRequest, "maxBodyBytes">) => Promise<StreamingResponse>;

// Idle keep-alive sockets are unref'd by the agent, so they never keep the process alive.
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

function toHeaders(raw: http.IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

/** Sends one request over the keep-alive agents; errors before a response (and a bad protocol) go to `reject`. */
function sendRequest(url: string, request: Omit<RawRequest, "maxBodyBytes">, reject: (err: unknown) => void, onResponse: (response: http.IncomingMessage, outgoing: http.ClientRequest) => void): void {
  const target = new URL(url);
  const secure = target.protocol === "https:";
  if (!secure && target.protocol !== "http:") {
    reject(new Error(`unsupported protocol ${target.protocol}`));
    return;
  }
  const send = secure ? https.request : http.request;
  const outgoing = send(target, { method: request.method, headers: request.headers, agent: secure ? agents.https : agents.http, signal: request.signal }, (response) => onResponse(response, outgoing));
  outgoing.on("error", reject);
  outgoing.end(request.body);
}

export const nodeHttpTransport: Transport = (url, request) =>
  new Promise<RawResponse>((resolve, reject) => {
    sendRequest(url, request, reject, (response, outgoing) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      response.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > request.maxBodyBytes) {
          chunks.length = 0;
          reject(new ResponseTooLarge(request.maxBodyBytes));
          response.destroy();
          outgoing.destroy();
          return;
        }
        chunks.push(chunk);
      });
      response.on("error", reject);
      response.on("close", () => {
        if (!response.complete) reject(new Error("the connection closed before the response ended"));
      });
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          statusText: response.statusMessage ?? "",
          headers: toHeaders(response.headers),
          text: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
  });

/** node:http like nodeHttpTransport, resolving at the head; a connection closing mid-body fails the body's reader. */
export const nodeHttpStreamingTransport: StreamingTransport = (url, request) =>
  new Promise<StreamingResponse>((resolve, reject) => {
    sendRequest(url, request, reject, (response) => {
      // The reader sees errors through its iterator; one left unread (aborted before reading) must not be uncaught.
      response.on("error", () => undefined);
      async function* body(): AsyncGenerator<Uint8Array> {
        for await (const chunk of response) yield chunk as Buffer;
        if (!response.complete) throw new Error("the connection closed before the response ended");
      }
      resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? "", headers: toHeaders(response.headers), body: body() });
    });
  });

export function fetchStreamingTransport(doFetch: typeof fetch): StreamingTransport {
  return async (url, request) => {
    const response = await doFetch(url, { method: request.method, headers: request.headers, body: request.body, signal: request.signal });
    async function* body(): AsyncGenerator<Uint8Array> {
      if (!response.body) return;
      const reader = response.body.getReader();
      try {
        for (let read = await reader.read(); !read.done; read = await reader.read()) yield read.value as Uint8Array;
      } finally {
        // Reached early when the reader stops (an aborted or failed stream): the connection is let go.
        await reader.cancel().catch(() => undefined);
      }
    }
    return { status: response.status, statusText: response.statusText, headers: response.headers, body: body() };
  };
}

/** A streamed body read whole, failing with ResponseTooLarge past `maxBytes` (the reader then lets the connection go). */
export async function readBody(body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.length;
    if (bytes > maxBytes) throw new ResponseTooLarge(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function fetchTransport(doFetch: typeof fetch): Transport {
  const streaming = fetchStreamingTransport(doFetch);
  return async (url, request) => {
    const { body, ...head } = await streaming(url, request);
    return { ...head, text: await readBody(body, request.maxBodyBytes) };
  };
}
