/**
 * The HTTP server of `llmops serve`: prompt flow's serving contract on fastify, for Azure ML's probes and for
 * clients of deployed flows.
 *
 *   POST /score          flow inputs (JSON) -> flow outputs (JSON); chat flows as server-sent events on request
 *   GET  /health         {"status": "Healthy", "version"}; 503 while shutting down, so probes take it out
 *   GET  /version        {"status", "build_info", "version"}
 *   GET  /swagger.json   OpenAPI document of the flow's inputs and outputs
 *   POST /feedback       recorded as a trace span
 *
 * Errors are `{"error": {"code", "message"}}` as prompt flow answers: 400 "UserError" for a bad request or inputs
 * the flow cannot take, 500 "SystemError" when the flow fails, 504 when it runs past the request timeout. No stack
 * trace ever leaves the process. Every response carries the request id (`x-request-id`, taken from the request
 * when the caller sent a usable one) and echoes `x-ms-client-request-id`.
 *
 * No process.env, signals or exit codes in here: the command (src/cli/commands/serve.ts) owns those.
 */
import { randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { DataCollector } from "./dataCollector";
import { acceptedMediaTypes, BadScoreRequest, scoreInputs } from "./scoreRequest";
import type { AnswerStreaming, ServedFlow, ServedFlowOutcome } from "./servedFlow";
import { swaggerDocument } from "./swagger";
import type { ScoreTelemetry } from "./telemetry";

export interface LogDestination {
  write(line: string): void;
}

export interface ServeAppOptions {
  flow: ServedFlow;
  /** llmops's version, answered by /health and /version. */
  version: string;
  /** The image's BUILD_INFO (prompt flow's convention: JSON with build_number), answered by /version. */
  buildInfo?: string;
  /** A request whose flow has not finished by then is answered 504 and its run aborted. Default 180 s (Azure's maximum). */
  requestTimeoutMs?: number;
  /** Largest request body. Default 16 MiB. */
  bodyLimitBytes?: number;
  /** JSON lines, one per request and per lifecycle event; omitted: no logs. */
  log?: { destination: LogDestination; level?: "debug" | "info" | "warn" | "error" };
  collector?: DataCollector;
  telemetry?: ScoreTelemetry;
  /** Example request shown in /swagger.json. */
  sample?: Record<string, unknown>;
}

export interface ServeApp {
  readonly server: FastifyInstance;
  /** Binds and returns `http://host:port`. */
  listen(host: string, port: number): Promise<string>;
  /**
   * Graceful stop: from now on every new request gets 503 while the ones in flight finish (at most
   * `drainTimeoutMs`), then the listener closes. Resolves to the number of requests still running at the deadline.
   */
  shutdown(drainTimeoutMs?: number): Promise<number>;
  inFlight(): number;
}

export const defaultRequestTimeoutMs = 180_000;

/** Request ids we repeat in headers and logs: printable, no separators, bounded. */
const usableRequestId = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text !== undefined && usableRequestId.test(text) ? text : undefined;
}

function errorBody(code: "UserError" | "SystemError", message: string, innerCode?: string): Record<string, unknown> {
  return { error: { code, message, ...(innerCode !== undefined ? { innerError: { code: innerCode } } : {}) } };
}

function formatEvent(data: Record<string, unknown>): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

class RequestTimeout extends Error {}

export function createServeApp(options: ServeAppOptions): ServeApp {
  const { flow } = options;
  const requestTimeoutMs = options.requestTimeoutMs ?? defaultRequestTimeoutMs;
  const swagger = swaggerDocument(flow, options.sample);
  const chatOutput = flow.outputs.find((output) => output.isChatOutput)?.name;
  /**
   * The output sent as events: a chat flow's answer, a DAG output an LLM node streams to, or a flex flow's output (a generator there streams chunk by
   * chunk, as prompt flow streams generator outputs; a dict's generator field names itself when it starts).
   */
  const streamField = chatOutput ?? flow.streamedOutput ?? (flow.kind === "flex" ? (flow.outputs.length === 1 ? flow.outputs[0].name : "output") : undefined);
  let draining = false;
  let running = 0;
  const idle: (() => void)[] = [];

  const server = Fastify({
    logger: options.log
      ? {
          level: options.log.level ?? "info",
          stream: options.log.destination,
          base: { service: "llmops-serve", flow: flow.name },
        }
      : false,
    // One line per request, written by the onResponse hook below with only what is safe to log.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "requestId" }),
    bodyLimit: options.bodyLimitBytes ?? 16 * 1024 * 1024,
    genReqId: (raw) => {
      const given = raw.headers["x-request-id"];
      const text = Array.isArray(given) ? given[0] : given;
      return text !== undefined && usableRequestId.test(text) ? text : randomUUID();
    },
    // Keep-alive connections of an idle client must not hold the process open after shutdown.
    forceCloseConnections: "idle",
    return503OnClosing: true,
  });

  // Prompt flow reads the raw body whatever its content type: JSON, or the text of the only input.
  server.removeAllContentTypeParsers();
  server.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body));

  server.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
    const clientRequestId = headerValue(request, "x-ms-client-request-id");
    if (clientRequestId !== undefined) reply.header("x-ms-client-request-id", clientRequestId);
    if (draining) {
      reply.header("connection", "close").header("retry-after", "5");
      return reply.code(503).send(errorBody("SystemError", "the server is shutting down", "ServiceUnavailable"));
    }
    return undefined;
  });

  server.addHook("onResponse", async (request, reply) => {
    // Only what identifies a request: never headers (auth keys), bodies (user data) or query strings.
    request.log.info(
      { method: request.method, path: request.url.split("?")[0], statusCode: reply.statusCode, durationMs: Math.round(reply.elapsedTime * 10) / 10 },
      "request completed",
    );
  });

  server.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) request.log.error({ err }, "request failed");
    return reply.code(status).send(status < 500 ? errorBody("UserError", err.message) : errorBody("SystemError", "the server failed to handle the request"));
  });

  server.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody("UserError", `no route ${request.method} ${request.url.split("?")[0]}: the flow is served at POST /score`)),
  );

  const track = async <T>(work: () => Promise<T>): Promise<T> => {
    running += 1;
    try {
      return await work();
    } finally {
      running -= 1;
      if (running === 0) for (const resolve of idle.splice(0)) resolve();
    }
  };

  /** The flow's run, aborted and answered as a timeout when it outlives the request timeout or its client. */
  const runFlow = async (inputs: Record<string, unknown>, reply: FastifyReply, streaming?: AnswerStreaming): Promise<ServedFlowOutcome> => {
    const abort = new AbortController();
    const onClose = (): void => {
      if (!reply.raw.writableEnded) abort.abort();
    };
    reply.raw.once("close", onClose);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new RequestTimeout());
      }, requestTimeoutMs);
    });
    try {
      return await Promise.race([flow.run(inputs, abort.signal, streaming), timeout]);
    } finally {
      clearTimeout(timer);
      reply.raw.removeListener("close", onClose);
    }
  };

  server.post("/score", async (request, reply) =>
    track(async () => {
      const finish = options.telemetry?.start({ flow: flow.name, requestId: request.id });
      const answer = (status: number, body: unknown, errorType?: string): FastifyReply => {
        finish?.({ statusCode: status, ...(errorType !== undefined ? { errorType } : {}) });
        return reply.code(status).send(body);
      };
      const accepted = acceptedMediaTypes(request.headers.accept);
      const streams = accepted.eventStream && streamField !== undefined;
      if (!streams && !accepted.json) {
        const supported = streamField !== undefined ? "text/event-stream, application/json" : "application/json";
        return answer(406, errorBody("UserError", `media type ${request.headers.accept} in the Accept header is not acceptable; supported: ${supported}`, "NotAcceptable"), "NotAcceptable");
      }
      let inputs: Record<string, unknown>;
      try {
        inputs = scoreInputs(flow.inputs, typeof request.body === "string" ? request.body : "");
      } catch (err) {
        if (err instanceof BadScoreRequest) return answer(400, errorBody("UserError", err.message, "BadRequest"), "BadRequest");
        throw err;
      }
      // What the engine streams goes out as it comes: the response starts with the first event. A DAG chat flow
      // starts with its other outputs (onStreamStart), then the answer's pieces, as prompt flow sends them.
      let live: PassThrough | undefined;
      /** The outputs the first event carried, and the output the pieces belong to. */
      let sentFirst: string[] = [];
      let chunkField = streamField ?? "output";
      const startLive = (): PassThrough => {
        if (live === undefined) {
          live = new PassThrough();
          void reply.code(200).header("content-type", "text/event-stream; charset=utf-8").header("cache-control", "no-cache").send(live);
        }
        return live;
      };
      const streaming =
        streams && streamField !== undefined
          ? {
              onStreamStart: (others: Record<string, unknown>, field: string): void => {
                const stream = startLive();
                sentFirst = Object.keys(others);
                chunkField = field;
                if (sentFirst.length > 0) stream.write(formatEvent(others));
              },
              onChunk: (chunk: string): void => {
                startLive().write(formatEvent({ [chunkField]: chunk }));
              },
            }
          : undefined;
      /** Ends a stream already under way: what is left, or the error, as the last event (the status is sent). */
      const endLive = (stream: PassThrough, last: Record<string, unknown> | undefined, status: number, errorType?: string): FastifyReply => {
        if (last !== undefined && Object.keys(last).length > 0) stream.write(formatEvent(last));
        stream.end();
        finish?.({ statusCode: status, ...(errorType !== undefined ? { errorType } : {}) });
        return reply;
      };
      let outcome: ServedFlowOutcome;
      try {
        outcome = await runFlow(inputs, reply, streaming);
      } catch (err) {
        if (!(err instanceof RequestTimeout)) throw err;
        request.log.warn({ timeoutMs: requestTimeoutMs }, "flow run timed out");
        const timedOut = errorBody("SystemError", `the flow did not finish within the request timeout (${requestTimeoutMs} ms)`, "RequestTimeout");
        if (live !== undefined) return endLive(live, timedOut, 504, "RequestTimeout");
        return answer(504, timedOut, "RequestTimeout");
      }
      if (outcome.status !== "Completed") {
        const error = outcome.error ?? { type: "FlowError", message: "the flow failed without an error message" };
        const where = error.node !== undefined ? `node '${error.node}': ` : "";
        if (live !== undefined) return endLive(live, errorBody("SystemError", `${where}${error.message}`, error.type), 500, error.type);
        if (error.type === "InputError") return answer(400, errorBody("UserError", error.message, "InputError"), "InputError");
        request.log.warn({ errorType: error.type, node: error.node }, "flow run failed");
        return answer(500, errorBody("SystemError", `${where}${error.message}`, error.type), error.type);
      }
      options.collector?.collect({ requestId: request.id, inputs, outputs: outcome.outputs, time: new Date() });
      if (streams && streamField !== undefined) {
        // Streamed already: what the first event did not carry (a bare flex generator's nothing, a second generator
        // field's whole text) closes the stream.
        if (live !== undefined) {
          const rest = Object.fromEntries(Object.entries(outcome.outputs).filter(([name]) => name !== chunkField && !sentFirst.includes(name)));
          return endLive(live, rest, 200);
        }
        const { [streamField]: streamed, ...others } = outcome.outputs;
        // Prompt flow's event stream: the other outputs first, then the answer.
        const events = streamField in outcome.outputs ? (Object.keys(others).length > 0 ? formatEvent(others) : "") + formatEvent({ [streamField]: streamed }) : formatEvent(outcome.outputs);
        reply.header("content-type", "text/event-stream; charset=utf-8").header("cache-control", "no-cache");
        return answer(200, events);
      }
      return answer(200, outcome.outputs);
    }),
  );

  server.get("/health", async () => ({ status: "Healthy", version: options.version }));

  server.get("/version", async () => ({ status: "Healthy", build_info: options.buildInfo ?? "", version: versionOf(options.buildInfo, options.version) }));

  server.get("/swagger.json", async () => swagger);

  server.post("/feedback", async (request) =>
    track(async () => {
      const text = typeof request.body === "string" ? request.body : "";
      const flatten = (request.query as Record<string, string | undefined>).flatten?.toLowerCase() === "true";
      options.telemetry?.feedback(text, flatten);
      request.log.info({ bytes: Buffer.byteLength(text) }, "feedback received");
      return { status: "Feedback received." };
    }),
  );

  return {
    server,
    async listen(host, port) {
      await server.listen({ host, port });
      const address = server.server.address();
      const bound = typeof address === "object" && address !== null ? address.port : port;
      server.log.info({ host, port: bound }, "listening");
      return `http://${host.includes(":") ? `[${host}]` : host}:${bound}`;
    },
    async shutdown(drainTimeoutMs = 30_000) {
      draining = true;
      server.log.info({ inFlight: running }, "shutting down: new requests get 503");
      let timer: NodeJS.Timeout | undefined;
      if (running > 0) {
        await Promise.race([
          new Promise<void>((resolve) => idle.push(resolve)),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, drainTimeoutMs);
          }),
        ]);
      }
      clearTimeout(timer);
      const left = running;
      await server.close();
      return left;
    },
    inFlight: () => running,
  };
}

/** Prompt flow's /version: the build number from BUILD_INFO when it is JSON with one, else the runtime's version. */
function versionOf(buildInfo: string | undefined, fallback: string): string {
  if (!buildInfo) return fallback;
  try {
    const parsed: unknown = JSON.parse(buildInfo);
    const number = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>).build_number : undefined;
    return typeof number === "string" || typeof number === "number" ? String(number) : fallback;
  } catch {
    return fallback;
  }
}
