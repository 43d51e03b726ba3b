import { systemClock, type Clock } from "../../core/clock";
import { isRecord } from "../../core/values";
import { armRetryPolicy, isRetryableStatus, resolveRetryPolicy, retryDelayMs, serverRetryDelayMs, type RetryOptions, type RetryPolicy } from "../http/retryPolicy";
import { ArmError, armErrorDetail, isOperationInProgressConflict } from "./armError";

export const publicArmBaseUrl = "https://management.azure.com";

/** ARM's retry settings: the shared policy plus how often a 409 "operation in progress" is waited out. */
export interface ArmRetryOptions extends RetryOptions {
  /** Extra attempts when ARM answers 409 because another operation on the resource is still running. Default 30. */
  conflictAttempts?: number;
}

export interface ArmClientOptions {
  /** ARM's address; the bearer token is only ever sent to this origin. Default https://management.azure.com. */
  baseUrl?: string;
  /** A bearer token for ARM (scope `<baseUrl>/.default`). Called before every request; cache inside it. */
  getToken: () => Promise<string>;
  fetch?: typeof fetch;
  clock?: Clock;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** The shared retry policy (armRetryPolicy by default); `timeoutMs` bounds one HTTP request. */
  retry?: ArmRetryOptions;
  /** Wait between polls of a long-running operation when ARM sends no `Retry-After`. Default 5 s. */
  pollIntervalMs?: number;
  /** Give up on a long-running operation after this long. Default 60 min (endpoint updates take minutes). */
  operationTimeoutMs?: number;
}

/** What the traffic logic needs from ARM; ArmClient is the implementation. */
export interface ArmApi {
  get(path: string, apiVersion: string): Promise<unknown>;
  /** Like get, but undefined when ARM answers 404. */
  getIfExists(path: string, apiVersion: string): Promise<unknown>;
  /** GET a collection and follow `nextLink` pages; returns every item of `value`. */
  list(path: string, apiVersion: string): Promise<unknown[]>;
  /** PUT, follow the long-running operation to its end, and return the resource as ARM then reports it. */
  put(path: string, apiVersion: string, body: unknown): Promise<unknown>;
}

interface ArmResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

type Method = "GET" | "PUT" | "POST";

const terminalProvisioningStates = ["succeeded", "failed", "canceled"];
// Bounds every polling loop by count too, so a clock that never advances cannot spin forever.
const maxPolls = 5_000;
const maxPages = 1_000;

/**
 * A small Azure Resource Manager client: GET/PUT with bearer auth, retries (429, 5xx, network, 409 while another
 * operation runs) and long-running operation polling (`Azure-AsyncOperation`, `Location`, provisioningState).
 * No Pulumi in here, so the CLI can use it too.
 */
export class ArmClient implements ArmApi {
  private readonly baseUrl: URL;
  private readonly getToken: () => Promise<string>;
  private readonly fetchFn: typeof fetch;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly policy: RetryPolicy;
  private readonly pollIntervalMs: number;
  private readonly operationTimeoutMs: number;
  private readonly conflictAttempts: number;

  constructor(options: ArmClientOptions) {
    this.baseUrl = new URL(options.baseUrl ?? publicArmBaseUrl);
    this.getToken = options.getToken;
    this.fetchFn = options.fetch ?? fetch;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    const { conflictAttempts, ...retry } = options.retry ?? {};
    this.policy = resolveRetryPolicy(retry, armRetryPolicy);
    this.conflictAttempts = conflictAttempts ?? 30;
    this.pollIntervalMs = options.pollIntervalMs ?? 5_000;
    this.operationTimeoutMs = options.operationTimeoutMs ?? 60 * 60_000;
  }

  async get(path: string, apiVersion: string): Promise<unknown> {
    const response = await this.send("GET", this.resourceUrl(path, apiVersion), `GET ${path}`);
    return response.body;
  }

  async getIfExists(path: string, apiVersion: string): Promise<unknown> {
    const response = await this.send("GET", this.resourceUrl(path, apiVersion), `GET ${path}`, undefined, true);
    return response.status === 404 ? undefined : response.body;
  }

  async list(path: string, apiVersion: string): Promise<unknown[]> {
    const items: unknown[] = [];
    let url: string | undefined = this.resourceUrl(path, apiVersion);
    for (let page = 0; url !== undefined; page++) {
      if (page >= maxPages) throw new ArmError(`GET ${path}`, undefined, "TooManyPages", `more than ${maxPages} pages`);
      const response = await this.send("GET", url, `GET ${path}`);
      const body = response.body;
      if (!isRecord(body) || !Array.isArray(body.value)) {
        throw new ArmError(`GET ${path}`, response.status, "UnexpectedResponse", "a list response without a value array");
      }
      items.push(...(body.value as unknown[]));
      url = typeof body.nextLink === "string" && body.nextLink !== "" ? body.nextLink : undefined;
    }
    return items;
  }

  async put(path: string, apiVersion: string, body: unknown): Promise<unknown> {
    const url = this.resourceUrl(path, apiVersion);
    const label = `PUT ${path}`;
    const response = await this.send("PUT", url, label, body);
    const finished = await this.waitForCompletion(response, url, label);
    return finished ? response.body : this.get(path, apiVersion);
  }

  /**
   * POST an action (e.g. `.../onlineEndpoints/{name}/listKeys`) and return its body. Only for actions that answer
   * at once; added for `llmops evaluate`, which reads endpoint keys this way.
   */
  async post(path: string, apiVersion: string, body?: unknown): Promise<unknown> {
    const response = await this.send("POST", this.resourceUrl(path, apiVersion), `POST ${path}`, body);
    return response.body;
  }

  /** Full URL of an ARM path; every path segment is already encoded by the caller's path builder. */
  private resourceUrl(path: string, apiVersion: string): string {
    const url = new URL(path, this.baseUrl);
    url.searchParams.set("api-version", apiVersion);
    return url.toString();
  }

  /**
   * Returns true when the PUT response was already final (no polling happened), false when the caller must
   * re-read the resource. Throws ArmError when the operation failed, was canceled or timed out.
   */
  private async waitForCompletion(response: ArmResponse, resourceUrl: string, label: string): Promise<boolean> {
    const asyncUrl = response.headers.get("azure-asyncoperation");
    if (asyncUrl) {
      await this.pollAsyncOperation(asyncUrl, label, response);
      return false;
    }
    const location = response.headers.get("location");
    if (location && (response.status === 202 || response.status === 201)) {
      await this.pollLocation(location, label, response);
      return false;
    }
    const state = provisioningStateOf(response.body);
    if (!isTerminal(state)) {
      await this.pollProvisioningState(resourceUrl, label, response);
      return false;
    }
    if (state !== undefined && isFailedState(state)) {
      throw new ArmError(label, response.status, `Provisioning${state}`, `the resource's provisioningState is ${state}`);
    }
    // A bare 202 promises a result it does not carry: re-read the resource.
    return response.status !== 202;
  }

  private async pollAsyncOperation(url: string, label: string, first: ArmResponse): Promise<void> {
    await this.pollUntil(label, first, async () => {
      const poll = await this.send("GET", url, `${label} (operation status)`);
      const status = isRecord(poll.body) && typeof poll.body.status === "string" ? poll.body.status : "";
      const state = status.toLowerCase();
      if (state === "succeeded") return { done: true, response: poll };
      if (state === "failed" || state === "canceled" || state === "cancelled") {
        const detail = armErrorDetail(isRecord(poll.body) ? poll.body.error : undefined, `Operation${status}`);
        throw new ArmError(label, undefined, detail.code, detail.message);
      }
      return { done: false, response: poll };
    });
  }

  private async pollLocation(url: string, label: string, first: ArmResponse): Promise<void> {
    await this.pollUntil(label, first, async () => {
      const poll = await this.send("GET", url, `${label} (operation result)`);
      return { done: poll.status !== 202, response: poll };
    });
  }

  private async pollProvisioningState(url: string, label: string, first: ArmResponse): Promise<void> {
    await this.pollUntil(label, first, async () => {
      const poll = await this.send("GET", url, `${label} (provisioning state)`);
      const state = provisioningStateOf(poll.body);
      if (state !== undefined && isFailedState(state)) {
        throw new ArmError(label, undefined, `Provisioning${state}`, `the resource's provisioningState is ${state}`);
      }
      return { done: isTerminal(state), response: poll };
    });
  }

  private async pollUntil(
    label: string,
    first: ArmResponse,
    check: () => Promise<{ done: boolean; response: ArmResponse }>,
  ): Promise<void> {
    const deadline = this.clock.now() + this.operationTimeoutMs;
    let last = first;
    for (let poll = 0; poll < maxPolls; poll++) {
      const retryAfter = serverRetryDelayMs(last.headers, this.clock.now());
      await this.clock.sleep(Math.min(retryAfter ?? this.pollIntervalMs, this.policy.maxDelayMs));
      const result = await check();
      if (result.done) return;
      last = result.response;
      if (this.clock.now() > deadline) break;
    }
    throw new ArmError(
      label,
      undefined,
      "OperationTimedOut",
      `still running after ${Math.round(this.operationTimeoutMs / 1000)} s; ARM may still finish it, check the resource`,
    );
  }

  /**
   * One logical request with retries. Returns 2xx/3xx responses (and 404 when allowed); throws ArmError for
   * everything else once retries are used up.
   */
  private async send(method: Method, url: string, label: string, body?: unknown, allow404 = false): Promise<ArmResponse> {
    this.assertArmOrigin(url, label);
    let failures = 0;
    let conflicts = 0;
    let waitedMs = 0;
    // A failure's wait, or undefined when the policy says give up (attempts or total wait used up).
    const retryWait = (serverDelay: number | undefined): number | undefined => {
      if (failures >= this.policy.maxAttempts) return undefined;
      const wait = retryDelayMs(this.policy, failures - 1, serverDelay, this.random);
      if (waitedMs + wait > this.policy.maxTotalWaitMs) return undefined;
      waitedMs += wait;
      return wait;
    };
    for (;;) {
      const token = await this.token(label);
      let response: ArmResponse;
      try {
        response = await this.attempt(method, url, body, token);
      } catch (err) {
        failures++;
        const wait = retryWait(undefined);
        if (wait === undefined) {
          const reason = err instanceof Error ? err.message : String(err);
          throw new ArmError(label, undefined, "NetworkError", `${reason} (after ${failures} attempts)`);
        }
        await this.clock.sleep(wait);
        continue;
      }
      const { status } = response;
      if (status < 400 || (status === 404 && allow404)) return response;
      const detail = armErrorDetail(response.body, `Http${status}`);
      const retryAfter = serverRetryDelayMs(response.headers, this.clock.now());
      if (status === 409 && isOperationInProgressConflict(detail.code, detail.message)) {
        conflicts++;
        if (conflicts > this.conflictAttempts) throw new ArmError(label, status, detail.code, detail.message);
        // Another operation can run for minutes: back off to ~30 s steps, bounded by conflictAttempts (~12 min).
        await this.clock.sleep(retryDelayMs(this.policy, Math.min(conflicts - 1, 4), retryAfter, this.random));
        continue;
      }
      if (isRetryableStatus(this.policy, status)) {
        failures++;
        const wait = retryWait(retryAfter);
        if (wait === undefined) throw new ArmError(label, status, detail.code, detail.message);
        await this.clock.sleep(wait);
        continue;
      }
      throw new ArmError(label, status, detail.code, detail.message);
    }
  }

  /** Credential failures are not retried here: the credential has its own retries, and they are not ARM's. */
  private async token(label: string): Promise<string> {
    try {
      return await this.getToken();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new ArmError(label, undefined, "CredentialUnavailable", `could not get an ARM token: ${reason}`);
    }
  }

  private async attempt(method: Method, url: string, body: unknown, token: string): Promise<ArmResponse> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: "application/json",
      "user-agent": "llmops-promptflow-pulumi",
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await this.fetchFn(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: "manual",
      signal: AbortSignal.timeout(this.policy.timeoutMs),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: parseBody(text) };
  }

  /** Poll URLs and nextLinks come from ARM's responses: never send the token anywhere but ARM itself. */
  private assertArmOrigin(url: string, label: string): void {
    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      throw new ArmError(label, undefined, "InvalidUrl", `ARM returned an unusable URL`);
    }
    if (origin !== this.baseUrl.origin) {
      throw new ArmError(
        label,
        undefined,
        "UntrustedUrl",
        `ARM pointed at ${origin}, not ${this.baseUrl.origin}; refusing to send the token there`,
      );
    }
  }
}

function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** `properties.provisioningState` of an ARM resource, if it has one. */
export function provisioningStateOf(body: unknown): string | undefined {
  if (!isRecord(body) || !isRecord(body.properties)) return undefined;
  const state = body.properties.provisioningState;
  return typeof state === "string" ? state : undefined;
}

function isFailedState(state: string): boolean {
  return state.toLowerCase() === "failed" || state.toLowerCase() === "canceled";
}

/** A body without provisioningState is final too (plain GET-able resources and empty 200s). */
function isTerminal(state: string | undefined): boolean {
  return state === undefined || terminalProvisioningStates.includes(state.toLowerCase());
}
