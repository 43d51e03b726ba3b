import { spawn, type ChildProcess } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import { isRecord } from "../core/values";
import type { Environment } from "../llm/connections";
import { pythonChildEnvironment, pythonExecutableOf } from "./pythonProcess";

/** A flex flow entry as the worker loads it; `key` names one constructed instance per worker (one per run). */
export interface FlexTarget {
  key: string;
  dir: string;
  /** `module:function` or `module:Class`. */
  entry: string;
  /** Init arguments (class entries); model configurations stay dicts naming a `connection`. */
  init: Record<string, unknown>;
}

/** A connection as a tool parameter typed AzureOpenAIConnection/OpenAIConnection/CustomConnection receives it. */
export type ConnectionPayload = Record<string, unknown> & { type: string };

export interface PythonCall {
  /** `tool` (default): a DAG python node; `flex_*`: a flex flow's construction, line or aggregation. */
  op?: "tool" | "flex_init" | "flex_call" | "flex_aggregate";
  /** Absolute path of the tool's .py file (modules are cached per path inside a worker); for flex, the entry file. */
  toolPath: string;
  kwargs: Record<string, unknown>;
  /** Inputs that read a bypassed node: dropped when the parameter has a default, else passed as None. */
  bypassed: string[];
  /** Working directory for the call (the flow folder, as prompt flow runs tools). */
  cwd: string;
  /** The flow's `environment_variables`. */
  env: Record<string, string>;
  flex?: FlexTarget;
  /** `__aggregate__`'s argument (flex_aggregate). */
  lineResults?: unknown[];
  /** Connections the call may receive as objects; their secret values are scrubbed from what comes back. */
  connections?: Record<string, ConnectionPayload>;
  /** Answers a request the Python code makes mid-call (a Prompty call); its rejection becomes a Python exception. */
  onRequest?: (request: Record<string, unknown>, signal?: AbortSignal) => Promise<unknown>;
  /** Receives a generator's chunks as they come; also asks the worker to stream them. */
  onChunk?: (chunk: string) => void;
  /** A dict (or dataclass) result with a generator field: that field and the other fields, before its first chunk. */
  onStreamStart?: (otherOutputs: Record<string, unknown>, field: string) => void;
}

export interface PythonToolError {
  /** The Python exception class, or `WorkerCrashed` / `Aborted` / `Timeout`. */
  type: string;
  message: string;
  /** The last frames of the tool's traceback. */
  traceback: string;
}

export type PythonCallResult =
  | { ok: true; result: unknown; stdout: string; metrics: Record<string, number | string> }
  | { ok: false; error: PythonToolError; stdout: string; metrics: Record<string, number | string> };

export interface PythonPool {
  call(request: PythonCall, signal?: AbortSignal): Promise<PythonCallResult>;
  /** Ends every worker; calls still queued fail. */
  close(): Promise<void>;
  readonly size: number;
}

export interface PythonPoolOptions {
  /**
   * Worker processes. Default min(4, CPUs): tools run under the GIL, so more workers than cores buys nothing for
   * CPU-bound glue code, and 4 matches prompt flow's own default worker count while keeping memory (~20 MB per
   * interpreter) small. Workers start on first use, so an LLM-only flow starts none.
   */
  size?: number;
  /** The workers' environment (the command line passes its own); its `PYTHON` names the interpreter, default `python3`. */
  environment: Environment;
  /** A call running longer is killed with its worker and fails its line. Default: no limit. */
  callTimeoutMs?: number;
}

export const WORKER_SCRIPT = path.join(__dirname, "python", "worker.py");
const STDERR_TAIL_CHARS = 2000;

interface Pending {
  id: number;
  request: PythonCall;
  signal?: AbortSignal;
  resolve: (result: PythonCallResult) => void;
}

interface Worker {
  child: ChildProcess;
  busy?: Pending;
  stderrTail: string;
  exited: boolean;
  /** The interpreter has started (its first protocol line); until then `onReady` waits. */
  ready: boolean;
  onReady?: () => void;
}

function failure(type: string, message: string, stdout = ""): PythonCallResult {
  return { ok: false, error: { type, message, traceback: "" }, stdout, metrics: {} };
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function parseResponse(record: Record<string, unknown> | undefined): PythonCallResult | undefined {
  if (!record || !("ok" in record)) return undefined;
  const stdout = typeof record.stdout === "string" ? record.stdout : "";
  const metrics: Record<string, number | string> = {};
  if (typeof record.metrics === "object" && record.metrics !== null) {
    for (const [key, metric] of Object.entries(record.metrics)) {
      if (typeof metric === "number" || typeof metric === "string") metrics[key] = metric;
    }
  }
  if (record.ok === true) return { ok: true, result: record.result ?? null, stdout, metrics };
  const error = typeof record.error === "object" && record.error !== null ? (record.error as Record<string, unknown>) : {};
  return {
    ok: false,
    error: {
      type: typeof error.type === "string" ? error.type : "PythonError",
      message: typeof error.message === "string" ? error.message : "unknown error",
      traceback: typeof error.traceback === "string" ? error.traceback : "",
    },
    stdout,
    metrics,
  };
}

const secretKeys = new Set(["api_key", "secrets"]);

/** Secret values of the connections a call received (api keys, custom secrets): never echoed back. */
function secretValuesOf(connections: Record<string, ConnectionPayload> | undefined): string[] {
  const values: string[] = [];
  for (const payload of Object.values(connections ?? {})) {
    for (const [key, value] of Object.entries(payload)) {
      if (!secretKeys.has(key)) continue;
      if (typeof value === "string") values.push(value);
      else if (typeof value === "object" && value !== null) for (const inner of Object.values(value)) if (typeof inner === "string") values.push(inner);
    }
  }
  return values.filter((value) => value.length >= 4);
}

function scrubText(text: string, secrets: readonly string[]): string {
  return secrets.reduce((current, secret) => current.split(secret).join("***"), text);
}

/** What a tool printed, raised or returned with the secrets it was given replaced by `***`. */
function scrubResult(result: PythonCallResult, secrets: readonly string[]): PythonCallResult {
  const stdout = scrubText(result.stdout, secrets);
  if (!result.ok) {
    return { ...result, stdout, error: { ...result.error, message: scrubText(result.error.message, secrets), traceback: scrubText(result.error.traceback, secrets) } };
  }
  const text = JSON.stringify(result.result);
  const clean = text === undefined ? text : scrubText(text, secrets);
  return { ...result, stdout, result: clean === text || clean === undefined ? result.result : (JSON.parse(clean) as unknown) };
}

/** Idle workers must not keep the Node process alive; busy ones must. */
function setReferenced(worker: Worker, referenced: boolean): void {
  for (const handle of [worker.child, worker.child.stdout, worker.child.stdin, worker.child.stderr]) {
    if (handle && "ref" in handle && "unref" in handle && typeof handle.ref === "function" && typeof handle.unref === "function") {
      if (referenced) handle.ref();
      else handle.unref();
    }
  }
}

/**
 * A pool of long-lived `python3` workers (src/flow/python/worker.py) speaking JSON lines. One call per worker at a
 * time; a worker that dies mid-call fails that call only and is replaced on the next one.
 */
export function createPythonPool(options: PythonPoolOptions): PythonPool {
  const size = Math.max(1, options.size ?? Math.min(4, os.cpus().length));
  const executable = pythonExecutableOf(options.environment);
  const environment = pythonChildEnvironment(options.environment, { PYTHONIOENCODING: "utf-8" });
  const workers: Worker[] = [];
  const queue: Pending[] = [];
  let nextId = 1;
  let closed = false;

  const finish = (worker: Worker, result: PythonCallResult): void => {
    const pending = worker.busy;
    if (!pending) return;
    worker.busy = undefined;
    if (!worker.exited) setReferenced(worker, false);
    pending.resolve(result);
    dispatch();
  };

  /** Takes the worker out of the pool at once (a replacement may start) and ends its process. */
  const kill = (worker: Worker): void => {
    const index = workers.indexOf(worker);
    if (index >= 0) workers.splice(index, 1);
    if (!worker.exited) worker.child.kill("SIGKILL");
  };

  const spawnWorker = (): Worker => {
    const child = spawn(executable, ["-u", WORKER_SCRIPT], {
      stdio: ["pipe", "pipe", "pipe"],
      env: environment,
    });
    const worker: Worker = { child, stderrTail: "", exited: false, ready: false };
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      worker.stderrTail = (worker.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    if (child.stdout) {
      readline.createInterface({ input: child.stdout, crlfDelay: Infinity }).on("line", (line) => {
        if (!worker.ready && line.trim() === '{"ready": true}') {
          worker.ready = true;
          worker.onReady?.();
          return;
        }
        const message = parseLine(line);
        const pending = worker.busy;
        if (!pending) return;
        if (message && typeof message.chunk === "string") {
          pending.request.onChunk?.(scrubText(message.chunk, secretValuesOf(pending.request.connections)));
          return;
        }
        if (message && isRecord(message.stream_start) && typeof message.stream_start.field === "string" && isRecord(message.stream_start.others)) {
          const others = scrubText(JSON.stringify(message.stream_start.others), secretValuesOf(pending.request.connections));
          pending.request.onStreamStart?.(JSON.parse(others) as Record<string, unknown>, message.stream_start.field);
          return;
        }
        if (message && typeof message.request === "object" && message.request !== null) {
          answerRequest(worker, pending, message.request as Record<string, unknown>);
          return;
        }
        finish(worker, parseResponse(message) ?? failure("ProtocolError", `unexpected output from python worker: ${line.slice(0, 200)}`));
      });
    }
    child.stdin?.on("error", () => {
      // The exit handler reports the crash; a write to a dead worker must not throw.
    });
    const onGone = (description: string): void => {
      if (worker.exited) return;
      worker.exited = true;
      const index = workers.indexOf(worker);
      if (index >= 0) workers.splice(index, 1);
      const stderr = worker.stderrTail.trim();
      finish(worker, failure("WorkerCrashed", `python worker ${description} while running ${worker.busy?.request.toolPath ?? "a tool"}${stderr ? `; stderr: ${stderr}` : ""}`));
      dispatch();
    };
    child.on("exit", (code, signal) => onGone(signal ? `was killed by ${signal}` : `exited with code ${code}`));
    child.on("error", (err) => onGone(`could not run '${executable}' (${err.message})`));
    workers.push(worker);
    return worker;
  };

  /** Runs the engine side of a mid-call request and writes its answer back, unless the call ended meanwhile. */
  const answerRequest = (worker: Worker, pending: Pending, request: Record<string, unknown>): void => {
    const handler = pending.request.onRequest;
    const answer = handler
      ? handler(request, pending.signal).then(
          (result) => ({ ok: true, result: result ?? null }),
          (err: unknown) => ({ ok: false, error: { type: err instanceof Error && err.name !== "Error" ? err.name : "EngineError", message: err instanceof Error ? err.message : String(err) } }),
        )
      : Promise.resolve({ ok: false, error: { type: "EngineError", message: `this call cannot serve '${String(request.op)}' requests` } });
    void answer.then((reply) => {
      if (worker.busy !== pending || worker.exited) return;
      worker.child.stdin?.write(`${JSON.stringify(reply)}\n`);
    });
  };

  const start = (worker: Worker, pending: Pending): void => {
    worker.busy = pending;
    setReferenced(worker, true);
    if (pending.signal?.aborted) {
      finish(worker, failure("Aborted", "the line was aborted"));
      return;
    }
    const { request } = pending;
    const message = {
      id: pending.id,
      op: request.op ?? "tool",
      path: request.toolPath,
      kwargs: request.kwargs,
      bypassed: request.bypassed,
      cwd: request.cwd,
      env: request.env,
      ...(request.flex ? { flex: request.flex } : {}),
      ...(request.lineResults ? { line_results: request.lineResults } : {}),
      ...(request.connections ? { connections: request.connections } : {}),
      ...(request.onChunk ? { stream: true } : {}),
    };
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      if (worker.busy !== pending) return;
      kill(worker);
      finish(worker, failure("Aborted", "the line was aborted"));
    };
    pending.signal?.addEventListener("abort", onAbort, { once: true });
    const timeoutMs = options.callTimeoutMs;
    if (timeoutMs !== undefined) {
      // Interpreter start-up is not the tool's time.
      const arm = (): void => {
        worker.onReady = undefined;
        timer = setTimeout(() => {
          if (worker.busy !== pending) return;
          kill(worker);
          finish(worker, failure("Timeout", `python tool ${request.toolPath} ran longer than ${timeoutMs} ms`));
        }, timeoutMs);
      };
      if (worker.ready) arm();
      else worker.onReady = arm;
    }
    const resolve = pending.resolve;
    const secrets = secretValuesOf(request.connections);
    pending.resolve = (result) => {
      if (timer) clearTimeout(timer);
      pending.signal?.removeEventListener("abort", onAbort);
      resolve(secrets.length > 0 ? scrubResult(result, secrets) : result);
    };
    let line: string;
    try {
      line = JSON.stringify(message);
    } catch (err) {
      finish(worker, failure("TypeError", `inputs of ${request.toolPath} are not JSON-serialisable: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    worker.child.stdin?.write(`${line}\n`);
  };

  function dispatch(): void {
    while (queue.length > 0 && !closed) {
      const idle = workers.find((w) => !w.busy && !w.exited) ?? (workers.length < size ? spawnWorker() : undefined);
      if (!idle) return;
      const pending = queue.shift();
      if (pending) start(idle, pending);
    }
  }

  return {
    size,
    call(request, signal) {
      if (closed) return Promise.resolve(failure("PoolClosed", "the python worker pool is closed"));
      return new Promise<PythonCallResult>((resolve) => {
        queue.push({ id: nextId++, request, signal, resolve });
        dispatch();
      });
    },
    async close() {
      closed = true;
      for (const pending of queue.splice(0)) pending.resolve(failure("PoolClosed", "the python worker pool is closed"));
      await Promise.all(
        workers.slice().map(
          (worker) =>
            new Promise<void>((resolve) => {
              if (worker.exited) return resolve();
              worker.child.once("exit", () => resolve());
              // Idle workers are unreferenced; without this the process could end before close() resolves.
              setReferenced(worker, true);
              worker.child.stdin?.end();
              // A tool stuck in a loop would never read EOF; do not wait for it.
              setTimeout(() => kill(worker), 2000).unref();
            }),
        ),
      );
    },
  };
}
