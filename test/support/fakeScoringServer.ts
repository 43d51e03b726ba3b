/**
 * A local stand-in for a deployed prompt flow, on 127.0.0.1 with an ephemeral port:
 * - kind "endpoint" (default): a managed online endpoint. `POST /score` with `Authorization: Bearer <key or Entra
 *   token>`; the `azureml-model-deployment` header picks a deployment, otherwise the traffic split does. Two
 *   deployments by default, "blue" (accurate) and "green" (a worse model), so A/B evaluations differ measurably.
 *   The serving deployment is named in the response's `azureml-model-deployment` header, as Azure ML does.
 * - kind "webapp": a prompt flow container on App Service: `POST /score` and `GET /health`, no deployments.
 * Faults (429 with Retry-After, 500, hang, malformed JSON, dropped connection) are queued for the next requests,
 * optionally only for one deployment. Every request is logged, headers included (test-only: tests assert auth).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { listenOnLoopback } from "./loopbackServer";

export type ScoringFault = (
  | { kind: "status"; status: number; headers?: Record<string, string>; body?: unknown }
  | { kind: "hang" }
  | { kind: "malformed" }
  | { kind: "drop" }
) & {
  /** Only a request served by this deployment consumes the fault. */
  deployment?: string;
};

export type DeploymentRule = (inputs: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface FakeScoringServerOptions {
  kind?: "endpoint" | "webapp";
  /** Endpoint key accepted as `Authorization: Bearer <key>`. Unset (and no bearerToken): no auth check. */
  key?: string;
  /** An Entra ID token accepted as `Authorization: Bearer <token>`. */
  bearerToken?: string;
  /** Deployment name -> how it answers. Default: blue (accurate classifier) and green (degraded classifier). */
  deployments?: Record<string, DeploymentRule>;
  /** Traffic split used when no deployment header is sent; default 90/10 over the first two deployments. */
  traffic?: Record<string, number>;
  /** Picks the deployment for split traffic; default a deterministic low-discrepancy sequence. */
  random?: () => number;
  latencyMs?: number;
}

export interface ScoringRequestLog {
  method: string;
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: unknown;
  /** Deployment that answered (or would have), undefined for a Web App or a rejected request. */
  deployment?: string;
  status: number;
}

export interface FakeScoringServer {
  /** Base URL, http://127.0.0.1:<port>. */
  url: string;
  /** `${url}/score`. */
  scoringUrl: string;
  requests: ScoringRequestLog[];
  fail(...faults: ScoringFault[]): void;
  close(): Promise<void>;
}

export const ticketCategories = ["billing", "technical", "account", "shipping", "outage", "other"] as const;

const keywordRules: [RegExp, (typeof ticketCategories)[number]][] = [
  [/\b(outage|down|unavailable|not loading|502|503)\b/i, "outage"],
  [/\b(invoice|charge[ds]?|refund|billing|payment|card)\b/i, "billing"],
  [/\b(password|login|log in|account|2fa|username|email address)\b/i, "account"],
  [/\b(shipping|delivery|package|parcel|tracking|shipped)\b/i, "shipping"],
  [/\b(error|bug|crash|api|install|sync|timeout)\b/i, "technical"],
];

/** A deterministic keyword classifier answering with the support ticket flow's outputs. */
export function classifyTicket(inputs: Record<string, unknown>): { category: string; confidence: number } {
  const text = typeof inputs.ticket_text === "string" ? inputs.ticket_text : "";
  const hit = keywordRules.find(([pattern]) => pattern.test(text));
  return hit ? { category: hit[1], confidence: 0.9 } : { category: "other", confidence: 0.4 };
}

function flowOutputs(category: string, confidence: number, inputs: Record<string, unknown>): Record<string, unknown> {
  const tier = typeof inputs.customer_tier === "string" ? inputs.customer_tier : "standard";
  const priority = category === "outage" ? "P1" : tier === "enterprise" ? "P2" : "P3";
  return {
    category,
    confidence,
    priority,
    sla_hours: priority === "P1" ? 1 : priority === "P2" ? 8 : 24,
    reply: `Thanks for reaching out, we have filed your ${category} request.`,
  };
}

export const accurateDeployment: DeploymentRule = (inputs) => {
  const { category, confidence } = classifyTicket(inputs);
  return flowOutputs(category, confidence, inputs);
};

/** Confuses account with billing tickets and never detects shipping: measurably worse than the accurate one. */
export const degradedDeployment: DeploymentRule = (inputs) => {
  const { category } = classifyTicket(inputs);
  const wrong = category === "account" ? "billing" : category === "shipping" ? "other" : category;
  return flowOutputs(wrong, 0.6, inputs);
};

function lowDiscrepancy(): () => number {
  let n = 0;
  return () => {
    n += 1;
    return (n * 0.6180339887498949) % 1;
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startFakeScoringServer(options: FakeScoringServerOptions = {}): Promise<FakeScoringServer> {
  const kind = options.kind ?? "endpoint";
  const deployments = options.deployments ?? { blue: accurateDeployment, green: degradedDeployment };
  const names = Object.keys(deployments);
  const traffic = options.traffic ?? (names.length >= 2 ? { [names[0]]: 90, [names[1]]: 10 } : { [names[0]]: 100 });
  const random = options.random ?? lowDiscrepancy();
  const faults: ScoringFault[] = [];
  const requests: ScoringRequestLog[] = [];

  const pickBySplit = (): string | undefined => {
    const total = Object.values(traffic).reduce((sum, weight) => sum + weight, 0);
    if (total <= 0) return undefined;
    let point = random() * total;
    for (const [name, weight] of Object.entries(traffic)) {
      if (point < weight) return name;
      point -= weight;
    }
    return Object.keys(traffic).at(-1);
  };

  const authorised = (headers: Record<string, string>): boolean => {
    if (options.key === undefined && options.bearerToken === undefined) return true;
    const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? "")?.[1];
    return bearer !== undefined && (bearer === options.key || bearer === options.bearerToken);
  };

  const takeFault = (deployment: string | undefined): ScoringFault | undefined => {
    const index = faults.findIndex((fault) => fault.deployment === undefined || fault.deployment === deployment);
    return index < 0 ? undefined : faults.splice(index, 1)[0];
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const text = await readBody(req);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers[name] = value;
    const log: ScoringRequestLog = { method: req.method ?? "", path, headers, body: undefined, status: 0 };
    requests.push(log);
    const reply = (status: number, body: unknown, extra: Record<string, string> = {}): void => {
      log.status = status;
      sendJson(res, status, body, extra);
    };

    if (kind === "webapp" && req.method === "GET" && path === "/health") return reply(200, { status: "Healthy" });
    if (req.method !== "POST" || path !== "/score") return reply(404, { error: { code: "NotFound", message: `no route for ${req.method} ${path}` } });
    try {
      log.body = JSON.parse(text);
    } catch {
      return reply(400, { error: { code: "BadRequest", message: "request body is not JSON" } });
    }
    if (!authorised(headers)) return reply(401, { error: { code: "Unauthorized", message: "invalid or missing authorization" } });

    let deployment: string | undefined;
    if (kind === "endpoint") {
      const pinned = headers["azureml-model-deployment"];
      deployment = pinned ?? pickBySplit();
      if (deployment === undefined || deployments[deployment] === undefined) {
        return reply(404, { error: { code: "DeploymentNotFound", message: `deployment '${pinned ?? ""}' does not exist on this endpoint` } });
      }
    } else {
      deployment = names[0];
    }
    log.deployment = kind === "endpoint" ? deployment : undefined;

    const fault = takeFault(deployment);
    if (fault?.kind === "hang") return; // the client's timeout fires; close() ends the socket
    if (fault?.kind === "drop") {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "malformed") {
      log.status = 200;
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"category": "billing", "confid');
      return;
    }
    if (fault?.kind === "status") {
      return reply(fault.status, fault.body ?? { error: { code: String(fault.status), message: `injected HTTP ${fault.status}` } }, fault.headers);
    }
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    const inputs = log.body !== null && typeof log.body === "object" && !Array.isArray(log.body) ? (log.body as Record<string, unknown>) : {};
    const outputs = await deployments[deployment](inputs);
    reply(200, outputs, kind === "endpoint" ? { "azureml-model-deployment": deployment } : {});
  };

  const server = await listenOnLoopback(handle, (res, err) => sendJson(res, 500, { error: { code: "FakeServerError", message: String(err) } }));
  const { url } = server;
  return {
    url,
    scoringUrl: `${url}/score`,
    requests,
    fail: (...queued) => {
      faults.push(...queued);
    },
    close: () => server.close(),
  };
}
