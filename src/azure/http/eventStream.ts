/**
 * A request answered with server-sent events (`text/event-stream`), read as the server sends them, over the same
 * retry loop as fetchJson: the gate, 429s and Retry-After, retryable statuses. Retries happen only before the
 * first byte of the body: once part of an answer has been handed on, sending the request again would repeat it.
 * The per-attempt timeout covers the wait for that first byte and then every gap between two pieces of the body.
 */
import { defaultMaxResponseBytes, fetchStreamingTransport, nodeHttpStreamingTransport, readBody, ResponseTooLarge, type StreamingTransport } from "./transport";
import { AttemptAbort, networkMessage, sendWithRetries, type AttemptResult, type AttemptSlot, type HttpDependencies, type JsonRequest } from "./fetchJson";
import { HttpError } from "./httpError";
import type { RetryOptions } from "./retryPolicy";
import { ServerSentEventParser } from "./serverSentEvents";

export interface EventStreamResponse {
  status: number;
  headers: Headers;
  attempts: number;
  /**
   * The `data` of each event as it arrives. Iterate it to the end or stop early (break, return): either way the
   * connection and the attempt's gate slot are released. A body that breaks off throws an HttpError.
   */
  events: AsyncIterable<string>;
}

interface OpenBody {
  first: IteratorResult<Uint8Array>;
  rest: AsyncIterator<Uint8Array>;
  attempt: AttemptAbort;
}

async function openOnce(transport: StreamingTransport, request: JsonRequest, method: string, headers: Record<string, string>, payload: string | undefined, timeoutMs: number): Promise<AttemptResult<OpenBody>> {
  const attempt = new AttemptAbort(request.signal, timeoutMs);
  let handedOn = false;
  try {
    const response = await transport(request.url, { method, headers: { accept: "text/event-stream", ...headers }, body: payload, signal: attempt.signal });
    if (response.status < 200 || response.status >= 300) {
      const text = await readBody(response.body, request.maxResponseBytes ?? defaultMaxResponseBytes);
      return { kind: "response", status: response.status, statusText: response.statusText, headers: response.headers, text };
    }
    const rest = response.body[Symbol.asyncIterator]();
    // Still retryable until the first byte arrives: nothing has been handed on yet.
    const first = await rest.next();
    handedOn = true;
    return { kind: "success", status: response.status, headers: response.headers, value: { first, rest, attempt } };
  } catch (err) {
    return attempt.failure(err);
  } finally {
    if (!handedOn) attempt.release();
  }
}

async function* eventsOf(open: OpenBody, status: number, attempts: number, target: () => string, slot: AttemptSlot | undefined, request: JsonRequest): AsyncGenerator<string> {
  const outer = request.signal;
  const maxEventChars = request.maxResponseBytes ?? defaultMaxResponseBytes;
  const { attempt, rest } = open;
  const decoder = new TextDecoder();
  const parser = new ServerSentEventParser();
  // The last JSON object the stream carried: where OpenAI puts the usage the gate settles with.
  let lastObject: string | undefined;
  let complete = false;
  try {
    try {
      for (let read = open.first; !read.done; read = await rest.next()) {
        attempt.restart();
        for (const data of parser.push(decoder.decode(read.value, { stream: true }))) {
          if (data.startsWith("{")) lastObject = data;
          yield data;
        }
        if (parser.pendingLength > maxEventChars) throw new ResponseTooLarge(maxEventChars);
      }
    } catch (err) {
      if (outer?.aborted) throw outer.reason;
      if (err instanceof ResponseTooLarge) throw new HttpError(status, `${target()} event stream sent one event larger than the limit: ${err.message}`, attempts, "response_too_large");
      const why = attempt.timedOut ? `sent nothing for ${attempt.timeoutMs} ms` : `broke off: ${networkMessage(err)}`;
      throw new HttpError(status, `${target()} event stream ${why} (after ${attempts} attempt${attempts === 1 ? "" : "s"})`, attempts, attempt.timedOut ? "timeout" : "network");
    }
    for (const data of parser.end()) {
      if (data.startsWith("{")) lastObject = data;
      yield data;
    }
    complete = true;
  } finally {
    attempt.release();
    if (!complete) {
      // Stopped early (the consumer broke off, or failed): the connection is closed rather than read to its end.
      await rest.return?.().catch(() => undefined);
      attempt.controller.abort();
    }
    let body: unknown;
    if (complete && lastObject !== undefined) {
      try {
        body = JSON.parse(lastObject) as unknown;
      } catch {
        body = undefined;
      }
    }
    slot?.leave(complete ? { body } : {});
  }
}

/** POSTs `request` and answers when the first byte of a 2xx event stream has arrived. */
export async function fetchEventStream(request: JsonRequest, retry: RetryOptions = {}, deps: HttpDependencies = {}): Promise<EventStreamResponse> {
  const transport = deps.fetch ? fetchStreamingTransport(deps.fetch) : nodeHttpStreamingTransport;
  return sendWithRetries<OpenBody, EventStreamResponse>(request, retry, deps, {
    attempt: (sent, timeoutMs) => openOnce(transport, request, sent.method, sent.headers, sent.payload, timeoutMs),
    accept: (success, slot, attempts, target) => ({
      status: success.status,
      headers: success.headers,
      attempts,
      events: eventsOf(success.value, success.status, attempts, target, slot, request),
    }),
  });
}
