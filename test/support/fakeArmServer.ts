/**
 * A local Azure Resource Manager look-alike for machine learning online endpoints and deployments, on 127.0.0.1
 * with an ephemeral port. It speaks ARM's protocol: bearer auth (401 without), `api-version` required, PUT
 * answered synchronously (200), with `Azure-AsyncOperation` (201, InProgress then Succeeded/Failed), with
 * `Location` (202 until done), or with a non-terminal provisioningState; `Retry-After` on request; 409 while an
 * operation runs on the endpoint; paged deployment lists (`nextLink`); `{error: {code, message}}` bodies.
 * Faults (429, 500, dropped connections, ...) can be queued. Every request is logged for assertions.
 *
 * Stricter than ARM on purpose: a PUT carrying read-only properties is rejected, so tests prove the client
 * strips them. Like ARM, it accepts an empty traffic map (which routes nothing): guarding against that is ours.
 * It also serves an App Service style managed-identity token endpoint (`/msi/token`) so DefaultAzureCredential
 * can be exercised offline, and workspace connections (`GET .../connections/{name}` without secrets,
 * `POST .../connections/{name}/listsecrets` with them) for `llmops serve` on an Azure ML deployment.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const fakeApiVersion = "2025-12-01";

export interface EndpointKey {
  subscriptionId: string;
  resourceGroupName: string;
  workspaceName: string;
  endpointName: string;
}

export interface FakeArmRequest {
  method: string;
  /** Decoded path without the query. */
  path: string;
  query: Record<string, string>;
  /** Whether an `Authorization: Bearer <something>` header came with it (the token itself is not logged). */
  hasBearer: boolean;
  body: unknown;
}

export type FakeFault = {
  method?: "GET" | "PUT" | "POST";
  /** Only requests whose path contains this (case-insensitive). */
  pathIncludes?: string;
} & (
  | { kind: "status"; status: number; code?: string; message?: string; retryAfter?: string; retryAfterMs?: string }
  /** Close the socket without an answer: a network error for the client. */
  | { kind: "drop" }
);

/** How a PUT of an endpoint completes. */
export type PutMode = "sync" | "asyncOperation" | "location" | "provisioningState";

export type OperationOutcome = { status: "Succeeded" } | { status: "Failed" | "Canceled"; code: string; message: string };

interface Operation {
  id: string;
  endpointKey: string;
  /** Status polls (or conflicting requests) still answered "in progress". */
  remaining: number;
  outcome: OperationOutcome;
  /** The resource the endpoint becomes when the operation succeeds; undefined for a foreign operation. */
  result: Record<string, unknown> | undefined;
  done: boolean;
}

const readOnlyEndpointProperties = ["provisioningState", "scoringUri", "swaggerUri"];
const readOnlyEnvelope = ["id", "name", "type", "systemData"];

export class FakeArmServer {
  readonly requests: FakeArmRequest[] = [];
  /** Every bearer token seen (fake tokens only; lets a test prove which credential was used). */
  readonly bearerTokens = new Set<string>();
  putMode: PutMode = "asyncOperation";
  /** "In progress" answers before an operation reaches its outcome. */
  pollsBeforeDone = 1;
  outcome: OperationOutcome = { status: "Succeeded" };
  /** Sent as `Retry-After` with every 201/202 and every in-progress poll. */
  pollRetryAfter: string | undefined;
  /** Deployments per page of the list. */
  deploymentsPageSize = 50;
  /** When set, async-operation URLs point at this origin instead of the server (to test the origin guard). */
  operationOrigin: string | undefined;
  /** Required `X-IDENTITY-HEADER` of the managed-identity token endpoint. */
  readonly identityHeader = "fake-identity-header";
  /** Token handed out by `/msi/token`. */
  readonly msiToken = "fake-msi-token";

  private readonly endpoints = new Map<string, Record<string, unknown>>();
  /** Keys `POST .../listKeys` returns, by endpoint (added for llmops evaluate's key lookup). */
  private readonly endpointKeys = new Map<string, { primaryKey: string; secondaryKey: string }>();
  private readonly deployments = new Map<string, Map<string, Record<string, unknown>>>();
  /** Workspace connections by lower-cased `<workspace id>/connections/<name>`. */
  private readonly connections = new Map<string, { id: string; name: string; properties: Record<string, unknown> }>();
  private readonly operations = new Map<string, Operation>();
  private readonly faults: FakeFault[] = [];
  private nextOperation = 1;
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private port = 0;

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Seeds an endpoint as ARM returns it (read-only fields included). */
  addEndpoint(key: EndpointKey, properties: Record<string, unknown> = {}, envelope: Record<string, unknown> = {}): void {
    const id = endpointId(key);
    this.endpoints.set(id.toLowerCase(), {
      id,
      name: key.endpointName,
      type: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
      location: "westeurope",
      kind: "Managed",
      tags: { owner: "tests" },
      identity: {
        type: "SystemAssigned",
        principalId: "00000000-0000-0000-0000-0000000000a1",
        tenantId: "00000000-0000-0000-0000-0000000000b2",
      },
      systemData: { createdBy: "tests", createdAt: "2026-01-01T00:00:00Z" },
      ...envelope,
      properties: {
        authMode: "Key",
        description: "test endpoint",
        publicNetworkAccess: "Enabled",
        traffic: {},
        mirrorTraffic: {},
        provisioningState: "Succeeded",
        scoringUri: `https://${key.endpointName}.westeurope.inference.ml.azure.com/score`,
        swaggerUri: `https://${key.endpointName}.westeurope.inference.ml.azure.com/swagger.json`,
        keys: null,
        ...properties,
      },
    });
  }

  addDeployment(key: EndpointKey, name: string, provisioningState = "Succeeded"): void {
    const endpointKey = endpointId(key).toLowerCase();
    const list = this.deployments.get(endpointKey) ?? new Map<string, Record<string, unknown>>();
    list.set(name.toLowerCase(), {
      id: `${endpointId(key)}/deployments/${name}`,
      name,
      type: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
      properties: { endpointComputeType: "Managed", provisioningState },
      sku: { name: "Default", capacity: 1 },
    });
    this.deployments.set(endpointKey, list);
  }

  /** The keys `POST <endpoint>/listKeys` answers with (a Key-auth endpoint without seeded keys gets fixed fake ones). */
  setEndpointKeys(key: EndpointKey, keys: { primaryKey: string; secondaryKey: string }): void {
    this.endpointKeys.set(endpointId(key).toLowerCase(), keys);
  }

  /**
   * Seeds a workspace connection as ARM's listsecrets returns it, e.g. `{category: "AzureOpenAI", authType:
   * "ApiKey", target, credentials: {key}, metadata: {ApiVersion, ApiType}}`. GET answers it without `credentials`.
   */
  addWorkspaceConnection(workspace: Omit<EndpointKey, "endpointName">, name: string, properties: Record<string, unknown>): void {
    const id = `${workspaceId(workspace)}/connections/${name}`;
    this.connections.set(id.toLowerCase(), { id, name, properties });
  }

  /** The endpoint as the server holds it now. */
  endpoint(key: EndpointKey): Record<string, unknown> | undefined {
    return this.endpoints.get(endpointId(key).toLowerCase());
  }

  /** Some other client's operation on the endpoint: PUTs get 409 until `conflicts` of them were refused. */
  beginForeignOperation(key: EndpointKey, conflicts: number): void {
    const id = `foreign-${this.nextOperation++}`;
    this.operations.set(id, {
      id,
      endpointKey: endpointId(key).toLowerCase(),
      remaining: conflicts,
      outcome: { status: "Succeeded" },
      result: undefined,
      done: false,
    });
  }

  /** The next matching request gets this fault instead of its answer (one fault per request, in order). */
  injectFault(fault: FakeFault): void {
    this.faults.push(fault);
  }

  puts(): FakeArmRequest[] {
    return this.requests.filter((r) => r.method === "PUT");
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.baseUrl);
    const path = decodeURIComponent(url.pathname);
    const text = await readBody(req);
    let body: unknown = undefined;
    if (text !== "") {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        return send(res, 400, { error: { code: "InvalidJson", message: "the request body is not JSON" } });
      }
    }
    const query = Object.fromEntries(url.searchParams.entries());
    const authorization = req.headers.authorization ?? "";
    const bearer = /^Bearer (.+)$/.exec(authorization)?.[1];
    const method = req.method ?? "GET";
    this.requests.push({ method, path, query, hasBearer: bearer !== undefined, body });

    if (path === "/msi/token") return this.issueMsiToken(req, res, query);

    const faultIndex = this.faults.findIndex(
      (f) => (f.method === undefined || f.method === method) && (f.pathIncludes === undefined || path.toLowerCase().includes(f.pathIncludes.toLowerCase())),
    );
    if (faultIndex >= 0) {
      const [fault] = this.faults.splice(faultIndex, 1);
      if (fault.kind === "drop") {
        req.socket.destroy();
        return;
      }
      const headers: Record<string, string> = {
        ...(fault.retryAfter === undefined ? {} : { "retry-after": fault.retryAfter }),
        ...(fault.retryAfterMs === undefined ? {} : { "retry-after-ms": fault.retryAfterMs }),
      };
      return send(res, fault.status, { error: { code: fault.code ?? `Status${fault.status}`, message: fault.message ?? "injected fault" } }, headers);
    }

    if (bearer === undefined) {
      return send(res, 401, { error: { code: "AuthenticationFailed", message: "Authentication failed. The 'Authorization' header is missing." } });
    }
    this.bearerTokens.add(bearer);
    if (query["api-version"] !== fakeApiVersion) {
      return send(res, 400, {
        error: { code: "InvalidApiVersionParameter", message: `The api-version '${query["api-version"] ?? ""}' is invalid.` },
      });
    }

    const operation = /\/mfeOperations?(Status|Results)\/([^/]+)$/i.exec(path);
    if (operation && method === "GET") return this.pollOperation(res, operation[1].toLowerCase() === "status" ? "status" : "results", operation[2]);

    const connection = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+\/connections\/[^/]+)(\/listsecrets)?$/i.exec(path);
    if (connection) return this.workspaceConnection(res, method, connection[1], connection[2] !== undefined);
    const match = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+\/onlineEndpoints\/[^/]+)(\/deployments)?(\/[^/]+)?$/i.exec(path);
    if (!match) return send(res, 404, { error: { code: "NoRegisteredProviderFound", message: `no route for ${path}` } });
    const endpointKey = match[1].toLowerCase();
    if (match[2]) {
      if (method !== "GET") return send(res, 405, { error: { code: "MethodNotAllowed", message: "fake serves GET only on deployments" } });
      return this.getDeployments(res, endpointKey, match[3]?.slice(1), Number(query.$skip ?? "0"), url);
    }
    if (!match[2] && match[3]?.toLowerCase() === "/listkeys") {
      if (method !== "POST") return send(res, 405, { error: { code: "MethodNotAllowed", message: "listKeys is a POST action" } });
      return this.listKeys(res, endpointKey);
    }
    if (method === "GET") return this.getEndpoint(res, endpointKey);
    if (method === "PUT") return this.putEndpoint(res, endpointKey, body);
    return send(res, 405, { error: { code: "MethodNotAllowed", message: `${method} is not supported` } });
  }

  private workspaceConnection(res: ServerResponse, method: string, id: string, withSecrets: boolean): void {
    if (withSecrets ? method !== "POST" : method !== "GET") {
      return send(res, 405, { error: { code: "MethodNotAllowed", message: withSecrets ? "listsecrets is a POST action" : "fake serves GET on connections" } });
    }
    const found = this.connections.get(id.toLowerCase());
    if (!found) return send(res, 404, { error: { code: "UserError", message: `Connection ${id.split("/").pop()} can't be found in this workspace` } });
    const withoutSecrets = { ...found.properties };
    delete withoutSecrets.credentials;
    return send(res, 200, {
      id: found.id,
      name: found.name,
      type: "Microsoft.MachineLearningServices/workspaces/connections",
      properties: withSecrets ? found.properties : withoutSecrets,
    });
  }

  private issueMsiToken(req: IncomingMessage, res: ServerResponse, query: Record<string, string>): void {
    if (req.headers["x-identity-header"] !== this.identityHeader) {
      return send(res, 401, { error: "invalid_request", error_description: "missing X-IDENTITY-HEADER" });
    }
    send(res, 200, {
      access_token: this.msiToken,
      expires_on: String(Math.floor(Date.now() / 1000) + 3600),
      resource: query.resource ?? "",
      token_type: "Bearer",
    });
  }

  private listKeys(res: ServerResponse, endpointKey: string): void {
    const endpoint = this.endpoints.get(endpointKey);
    if (!endpoint) return send(res, 404, { error: { code: "ResourceNotFound", message: "The online endpoint was not found." } });
    const authMode = (endpoint.properties as Record<string, unknown> | undefined)?.authMode;
    if (authMode !== "Key") {
      return send(res, 400, { error: { code: "BadArgument", message: `Keys are only available for endpoints with auth mode Key, this one uses ${String(authMode)}.` } });
    }
    send(res, 200, this.endpointKeys.get(endpointKey) ?? { primaryKey: "fake-primary-key", secondaryKey: "fake-secondary-key" });
  }

  private getEndpoint(res: ServerResponse, endpointKey: string): void {
    const endpoint = this.endpoints.get(endpointKey);
    if (!endpoint) return send(res, 404, { error: { code: "ResourceNotFound", message: "The online endpoint was not found." } });
    // A PUT answered with a non-terminal provisioningState completes as the client polls the resource.
    const running = this.runningOperation(endpointKey);
    if (running && this.putMode === "provisioningState" && running.result !== undefined) {
      this.advance(running);
      if (!running.done) return send(res, 200, withState(running.result, "Updating"));
      if (running.outcome.status !== "Succeeded") {
        return send(res, 200, withState(this.endpoints.get(endpointKey) ?? endpoint, running.outcome.status));
      }
    }
    send(res, 200, this.endpoints.get(endpointKey) ?? endpoint);
  }

  private getDeployments(res: ServerResponse, endpointKey: string, name: string | undefined, skip: number, url: URL): void {
    if (!this.endpoints.has(endpointKey)) {
      return send(res, 404, { error: { code: "ResourceNotFound", message: "The online endpoint was not found." } });
    }
    const all = [...(this.deployments.get(endpointKey)?.values() ?? [])];
    if (name !== undefined) {
      const one = all.find((d) => String(d.name).toLowerCase() === name.toLowerCase());
      if (!one) return send(res, 404, { error: { code: "ResourceNotFound", message: "The deployment was not found." } });
      return send(res, 200, one);
    }
    const page = all.slice(skip, skip + this.deploymentsPageSize);
    const next = skip + this.deploymentsPageSize < all.length ? new URL(url.toString()) : undefined;
    next?.searchParams.set("$skip", String(skip + this.deploymentsPageSize));
    send(res, 200, next ? { value: page, nextLink: next.toString() } : { value: page });
  }

  private putEndpoint(res: ServerResponse, endpointKey: string, body: unknown): void {
    const existing = this.endpoints.get(endpointKey);
    const running = this.runningOperation(endpointKey);
    if (running) {
      this.advance(running);
      return send(res, 409, {
        error: { code: "Conflict", message: "Another operation is in progress on this endpoint. Retry after it completes." },
      });
    }
    const problem = this.validatePut(endpointKey, body);
    if (problem) return send(res, 400, { error: { code: "BadArgument", message: problem } });
    if (!existing) return send(res, 400, { error: { code: "BadArgument", message: "the fake only updates seeded endpoints" } });
    const put = body as Record<string, unknown>;
    const result = mergeReadOnly(existing, put);

    if (this.putMode === "sync") {
      this.endpoints.set(endpointKey, result);
      return send(res, 200, result);
    }
    const id = `op-${this.nextOperation++}`;
    const operation: Operation = { id, endpointKey, remaining: this.pollsBeforeDone, outcome: this.outcome, result, done: false };
    this.operations.set(id, operation);
    const retry: Record<string, string> = this.pollRetryAfter === undefined ? {} : { "retry-after": this.pollRetryAfter };
    const origin = this.operationOrigin ?? this.baseUrl;
    const sub = endpointKey.split("/")[2];
    const operationBase = `${origin}/subscriptions/${sub}/providers/Microsoft.MachineLearningServices/locations/westeurope`;
    if (this.putMode === "asyncOperation") {
      return send(res, 201, withState(result, "Updating"), {
        ...retry,
        "azure-asyncoperation": `${operationBase}/mfeOperationsStatus/${id}?api-version=${fakeApiVersion}`,
      });
    }
    if (this.putMode === "location") {
      return send(res, 202, undefined, { ...retry, location: `${operationBase}/mfeOperationResults/${id}?api-version=${fakeApiVersion}` });
    }
    send(res, 200, withState(result, "Updating"));
  }

  private pollOperation(res: ServerResponse, kind: "status" | "results", id: string): void {
    const operation = this.operations.get(id);
    if (!operation) return send(res, 404, { error: { code: "OperationNotFound", message: `no operation ${id}` } });
    const retry: Record<string, string> = this.pollRetryAfter === undefined ? {} : { "retry-after": this.pollRetryAfter };
    this.advance(operation);
    if (!operation.done) {
      if (kind === "status") return send(res, 200, { id, name: id, status: "InProgress" }, retry);
      return send(res, 202, undefined, retry);
    }
    const outcome = operation.outcome;
    if (kind === "status") {
      if (outcome.status === "Succeeded") return send(res, 200, { id, name: id, status: "Succeeded" });
      return send(res, 200, { id, name: id, status: outcome.status, error: { code: outcome.code, message: outcome.message } });
    }
    if (outcome.status === "Succeeded") return send(res, 200, this.endpoints.get(operation.endpointKey));
    send(res, 400, { error: { code: outcome.code, message: outcome.message } });
  }

  /** One step of an operation: it finishes (applying its result on success) when no steps remain. */
  private advance(operation: Operation): void {
    if (operation.done) return;
    if (operation.remaining > 0) {
      operation.remaining--;
      return;
    }
    operation.done = true;
    if (operation.outcome.status === "Succeeded" && operation.result !== undefined) {
      this.endpoints.set(operation.endpointKey, operation.result);
    }
  }

  private runningOperation(endpointKey: string): Operation | undefined {
    return [...this.operations.values()].find((op) => op.endpointKey === endpointKey && !op.done);
  }

  private validatePut(endpointKey: string, body: unknown): string | undefined {
    if (!isObject(body)) return "the body must be a JSON object";
    for (const key of readOnlyEnvelope) if (key in body) return `'${key}' is read-only`;
    if (typeof body.location !== "string") return "'location' is required";
    if (!isObject(body.properties)) return "'properties' is required";
    const properties = body.properties;
    for (const key of readOnlyEndpointProperties) if (key in properties) return `'properties.${key}' is read-only`;
    if (typeof properties.authMode !== "string") return "'properties.authMode' is required";
    if (isObject(body.identity) && ("principalId" in body.identity || "tenantId" in body.identity)) {
      return "'identity.principalId' and 'identity.tenantId' are read-only";
    }
    const deployments = this.deployments.get(endpointKey) ?? new Map<string, Record<string, unknown>>();
    for (const field of ["traffic", "mirrorTraffic"] as const) {
      const map = properties[field];
      if (map === undefined || map === null) continue;
      if (!isObject(map)) return `'properties.${field}' must be an object`;
      for (const [name, percent] of Object.entries(map)) {
        if (!deployments.has(name.toLowerCase())) return `${field} names deployment '${name}', which does not exist`;
        if (typeof percent !== "number") return `${field}.${name} must be a number`;
      }
      const sum = Object.values(map).reduce((total: number, percent) => total + Number(percent), 0);
      if (field === "traffic" && Object.keys(map).length > 0 && sum !== 100) return `Traffic values need to sum to 100, got ${sum}`;
      if (field === "mirrorTraffic" && sum > 50) return `Mirror traffic values need to sum to at most 50, got ${sum}`;
    }
    return undefined;
  }
}

export async function startFakeArmServer(): Promise<FakeArmServer> {
  return new FakeArmServer().start();
}

export function endpointId(key: EndpointKey): string {
  return (
    `/subscriptions/${key.subscriptionId}/resourceGroups/${key.resourceGroupName}` +
    `/providers/Microsoft.MachineLearningServices/workspaces/${key.workspaceName}/onlineEndpoints/${key.endpointName}`
  );
}

function workspaceId(workspace: Omit<EndpointKey, "endpointName">): string {
  return `/subscriptions/${workspace.subscriptionId}/resourceGroups/${workspace.resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/${workspace.workspaceName}`;
}

function mergeReadOnly(existing: Record<string, unknown>, put: Record<string, unknown>): Record<string, unknown> {
  const existingProperties = isObject(existing.properties) ? existing.properties : {};
  const putProperties = isObject(put.properties) ? put.properties : {};
  const identity = isObject(put.identity) && isObject(existing.identity) ? { ...existing.identity, ...put.identity } : put.identity;
  return {
    ...put,
    id: existing.id,
    name: existing.name,
    type: existing.type,
    systemData: existing.systemData,
    identity,
    properties: {
      ...putProperties,
      provisioningState: "Succeeded",
      scoringUri: existingProperties.scoringUri,
      swaggerUri: existingProperties.swaggerUri,
      keys: null,
    },
  };
}

function withState(resource: Record<string, unknown>, state: string): Record<string, unknown> {
  const properties = isObject(resource.properties) ? resource.properties : {};
  return { ...resource, properties: { ...properties, provisioningState: state } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { ...(text === "" ? {} : { "content-type": "application/json" }), ...headers });
  res.end(text);
}
