/**
 * `llmops serve`: serves one flow over HTTP with prompt flow's serving contract (src/serve/app.ts), locally, in
 * the image on Azure ML and on the Web App. This command owns what the server core must not touch: the
 * environment (connections, Application Insights, data collection, BUILD_INFO), signals and the exit code.
 * SIGTERM (Azure ML and App Service stop containers with it) and SIGINT drain: requests in flight finish, new ones
 * get 503, then the process exits 0.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ArmClient } from "../../azure/arm/armClient";
import { armBaseUrlFromEnvironment, armTokenScope, azureTokenSource } from "../../azure/arm/armToken";
import { readWorkspaceConnections } from "../../azure/workspaceConnections";
import { loadConnectionsFile } from "../../config/experiment/connectionsFile";
import { UserError } from "../../core/userError";
import { createPythonPool } from "../../flow/pythonPool";
import { createLlmInvoker } from "../../llm/invoker";
import { parseCommandOptions } from "../commandOptions";
import type { Command } from "../command";

const usage = `usage: llmops serve --flow <dir|flow.dag.yaml> [--port 8080] [--host 0.0.0.0] [--connections <file>] [options]

Serves a prompt flow over HTTP as prompt flow's serving app does: POST /score, GET /health, GET /version,
GET /swagger.json, POST /feedback; chat flows stream server-sent events to clients that accept text/event-stream.

options:
  --flow <path>               flow folder, or its flow file
  --port <n>                  default 8080
  --host <address>            default 0.0.0.0 (all interfaces); 127.0.0.1 keeps it local
  --connections <file>        YAML/JSON list of connections, or a file with connections: (an experiment.yaml);
                              secrets as \${ENV_VAR} references. Not used on Azure ML or the Web App, which read
                              the workspace's connections or app settings.
  --request-timeout <ms>      answer 504 and abort a flow run after this long (default 180000)
  --python-workers <n>        python tool processes (default min(4, CPUs))
  --drain-timeout <ms>        on SIGTERM, wait this long for requests in flight (default 30000)

environment:
  PRT_CONFIG_OVERRIDE / AML_DEPLOYMENT_RESOURCE_ID   on Azure ML: read connections from that workspace (managed identity)
  LLMOPS_CONNECTIONS                                 on the Web App: connections from <NAME>_* app settings
  <CONNECTION>  <CONNECTION>_<FIELD>                 prompt flow's overrides (JSON or another name; single fields)
  APPLICATIONINSIGHTS_CONNECTION_STRING              send traces and request metrics to Application Insights
  AML_APP_INSIGHTS_KEY                               (Azure ML, App Insights enabled) the same, by instrumentation key
  DATA_COLLECTION=true, LLMOPS_DATA_COLLECTION_DIR   collect inputs/outputs per request (model data collector format)
  BUILD_INFO                                         answered by GET /version
  LLMOPS_LOG_LEVEL                                   debug | info (default) | warn | error`;

interface ServeArguments {
  flow: string;
  host: string;
  port: number;
  connections?: string;
  requestTimeoutMs?: number;
  pythonWorkers?: number;
  drainTimeoutMs: number;
}

export function parseServeArguments(args: string[], env: NodeJS.ProcessEnv): ServeArguments {
  const options = parseCommandOptions(
    args,
    {
      flow: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      connections: { type: "string" },
      "request-timeout": { type: "string" },
      "python-workers": { type: "string" },
      "drain-timeout": { type: "string" },
    },
    usage,
  );
  const flow = options.text("flow") ?? env.PROMPTFLOW_PROJECT_PATH;
  if (flow === undefined || flow === "") return options.fail("--flow is required");
  const portText = options.text("port");
  const port = portText === undefined ? 8080 : Number(portText);
  if (!/^\d+$/.test(portText ?? "0") || port > 65535) options.fail(`--port: expected a port number (0-65535), found '${portText}'`);
  const parsed: ServeArguments = { flow, host: options.text("host") ?? "0.0.0.0", port, drainTimeoutMs: options.positiveInteger("drain-timeout") ?? 30_000 };
  const connections = options.text("connections");
  if (connections !== undefined) parsed.connections = connections;
  const requestTimeoutMs = options.positiveInteger("request-timeout");
  if (requestTimeoutMs !== undefined) parsed.requestTimeoutMs = requestTimeoutMs;
  const pythonWorkers = options.positiveInteger("python-workers");
  if (pythonWorkers !== undefined) parsed.pythonWorkers = pythonWorkers;
  return parsed;
}

/** llmops's own version, from the package.json above this file (src/ or the compiled dist/ alike). */
function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as { version?: unknown };
      return typeof parsed.version === "string" ? parsed.version : "0.0.0";
    }
    if (path.dirname(dir) === dir) return "0.0.0";
  }
}

function isOn(value: string | undefined): boolean {
  return value !== undefined && ["true", "1", "yes", "on"].includes(value.trim().toLowerCase());
}

const logLevels = ["debug", "info", "warn", "error"] as const;

/**
 * Application Insights, as prompt flow's serving reads it: the instrumentation key Azure ML passes a deployment
 * with App Insights enabled (AML_APP_INSIGHTS_KEY, or APPINSIGHTS_INSTRUMENTATIONKEY), else a connection string.
 */
function applicationInsightsConnectionString(env: NodeJS.ProcessEnv): string | undefined {
  const key = env.AML_APP_INSIGHTS_KEY?.trim() || env.APPINSIGHTS_INSTRUMENTATIONKEY?.trim();
  if (key) return `InstrumentationKey=${key}`;
  return env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim() || undefined;
}

/** Resolves when SIGTERM or SIGINT arrives. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.removeListener("SIGTERM", stop);
      process.removeListener("SIGINT", stop);
      resolve(signal);
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
}

export async function serve(parsed: ServeArguments, env: NodeJS.ProcessEnv): Promise<number> {
  const logLevelText = env.LLMOPS_LOG_LEVEL?.trim().toLowerCase() || "info";
  const logLevel = logLevels.find((level) => level === logLevelText);
  if (logLevel === undefined) throw new UserError(`LLMOPS_LOG_LEVEL: expected ${logLevels.join(", ")}, found '${logLevelText}'`);

  // Application Insights first: its HTTP instrumentation must be in place before the server module loads, so
  // the server and everything it pulls in are required after it.
  const appInsights = applicationInsightsConnectionString(env);
  let monitor: typeof import("@azure/monitor-opentelemetry") | undefined;
  if (appInsights) {
    monitor = require("@azure/monitor-opentelemetry") as typeof import("@azure/monitor-opentelemetry");
    // Live Metrics polls Azure for as long as the process lives and would hold it open after a drain.
    monitor.useAzureMonitor({ azureMonitorExporterOptions: { connectionString: appInsights }, enableLiveMetrics: false });
  }
  const { createServeApp } = require("../../serve/app") as typeof import("../../serve/app");
  const { loadFlowToServe } = require("../../serve/servedFlow") as typeof import("../../serve/servedFlow");
  const { resolveServingConnections, servingHostOf } = require("../../serve/servingConnections") as typeof import("../../serve/servingConnections");
  const { createFileDataCollector } = require("../../serve/dataCollector") as typeof import("../../serve/dataCollector");
  const { openTelemetryScoreTelemetry } = require("../../serve/telemetry") as typeof import("../../serve/telemetry");

  const flowToServe = loadFlowToServe(parsed.flow, env);
  const host = servingHostOf(env);
  const connections = await resolveServingConnections({
    names: flowToServe.connectionNames,
    host,
    env,
    ...(parsed.connections !== undefined ? { file: loadConnectionsFile(parsed.connections, env), fileLabel: `--connections ${parsed.connections}` } : {}),
    readWorkspace: async (names) => {
      if (host.kind !== "azureml") throw new UserError("workspace connections are read on Azure ML deployments only");
      const baseUrl = armBaseUrlFromEnvironment(env);
      return readWorkspaceConnections(new ArmClient({ baseUrl, getToken: azureTokenSource(armTokenScope(baseUrl), env) }), host.workspace, names);
    },
  });

  const python = createPythonPool({ environment: env, ...(parsed.pythonWorkers !== undefined ? { size: parsed.pythonWorkers } : {}) });
  const flow = await flowToServe.start({ connections, llm: createLlmInvoker(), python, environment: env });
  const collector = isOn(env.DATA_COLLECTION)
    ? createFileDataCollector({
        dir: env.LLMOPS_DATA_COLLECTION_DIR?.trim() || path.join(os.tmpdir(), "llmops-data-collection"),
        source: host.kind === "azureml" && host.deploymentId !== undefined ? host.deploymentId : os.hostname(),
        onWriteError: (message) => process.stderr.write(`${JSON.stringify({ level: "warn", msg: message })}\n`),
      })
    : undefined;
  const app = createServeApp({
    flow,
    version: packageVersion(),
    ...(env.BUILD_INFO !== undefined ? { buildInfo: env.BUILD_INFO } : {}),
    ...(parsed.requestTimeoutMs !== undefined ? { requestTimeoutMs: parsed.requestTimeoutMs } : {}),
    log: { destination: { write: (line) => void process.stdout.write(line) }, level: logLevel },
    ...(collector ? { collector } : {}),
    telemetry: openTelemetryScoreTelemetry(),
  });
  const stopped = stopSignal();
  try {
    await app.listen(parsed.host, parsed.port);
  } catch (err) {
    await flow.close();
    await python.close();
    throw new UserError(`cannot listen on ${parsed.host}:${parsed.port}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const signal = await stopped;
  app.server.log.info({ signal }, "stopping");
  const unfinished = await app.shutdown(parsed.drainTimeoutMs);
  await flow.close();
  await python.close();
  await collector?.close();
  try {
    await monitor?.shutdownAzureMonitor();
  } catch (err) {
    // Telemetry that cannot be flushed is lost, not a failed shutdown.
    app.server.log.warn({ error: err instanceof Error ? err.message : String(err) }, "Application Insights: telemetry not flushed");
  }
  app.server.log.info({ unfinished }, "stopped");
  // Exporters can leave timers behind after their shutdown; a drained server exits anyway so its container stops.
  if (monitor) setTimeout(() => process.exit(0), 1000).unref();
  return 0;
}

export const serveCommand: Command = {
  summary: "serve a flow over HTTP (prompt flow's /score contract), locally or in the serving image",
  usage,
  async run(args) {
    return serve(parseServeArguments(args, process.env), process.env);
  },
};
