/**
 * A local Azure ML jobs service on 127.0.0.1 (ephemeral port) that runs what a submitted job describes, so a test
 * proves the job would run:
 * - ARM: `GET <workspace>/datastores` (the default blob datastore, on Azurite), `PUT/GET <workspace>/jobs/<name>`
 *   and `POST .../cancel` (api-version 2025-12-01, bearer token required, `{error: {code, message}}` bodies). A PUT
 *   body is validated against ARM's definitions (JobBaseResource, see armDefinitions.ts) and refused with 400 like
 *   ARM; its compute, environment and identity must be ones the workspace has.
 * - Execution: each job's inputs (`azureml://datastores/<ds>/paths/...`) are downloaded from Azurite to a temp
 *   folder, `${{inputs.x}}`/`${{outputs.y}}` in its command become those local paths, and the command runs with
 *   `sh -c` as its own process (instanceCount processes, each with AZUREML_NODE_RANK), with the job's environment
 *   variables, the environment's image as PATH (a folder holding an `llmops` that runs this repository's CLI) and
 *   a managed-identity endpoint (IDENTITY_ENDPOINT, DEFAULT_IDENTITY_CLIENT_ID), as on Azure ML compute. Output
 *   folders are uploaded to their datastore path while the job runs (finished files only, as a blobfuse mount
 *   does on close) and once more at the end. A cluster runs at most maxNodes jobs; the others stay Queued.
 * - Key Vault: `GET /keyvault/secrets/<name>` with a bearer token, for jobs reading connection keys.
 * - Faults: kill an instance after it wrote N mini-batch files (a node dying mid mini-batch), fail a job at start.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import type { ContainerClient } from "@azure/storage-blob";
import { armProblems, armReferenceAvailable, loadArmDefinitions } from "./armDefinitions";
import { listenOnLoopback, type LoopbackServer } from "./loopbackServer";

export const jobsApiVersion = "2025-12-01";

export interface FakeJobsWorkspace {
  subscriptionId: string;
  resourceGroupName: string;
  workspaceName: string;
}

export interface FakeJobsOptions {
  workspace: FakeJobsWorkspace;
  /** The default datastore's container on Azurite. */
  container: ContainerClient;
  datastoreName?: string;
  /** Compute clusters by name, with their node limit. */
  clusters: Record<string, { maxNodes: number }>;
  /** Environment version ARM IDs the workspace has. */
  environments: string[];
  /** User-assigned identities (ARM IDs) attached to the compute, with their client IDs. */
  identities: Record<string, string>;
  /** Folder holding the `llmops` executable jobs find on PATH. */
  imageBin: string;
  /** Key Vault secrets by name. */
  secrets?: Record<string, string>;
}

/** Each fault hits the first job it matches, once. */
export type JobFault =
  /** SIGKILL an instance once its output folder holds `afterFiles` finished files. */
  | { kind: "killInstance"; jobNameEndsWith: string; afterFiles: number }
  /** The job fails before its command starts. */
  | { kind: "failJob"; jobNameEndsWith: string; message: string };

interface FakeJob {
  name: string;
  body: Record<string, unknown>;
  status: string;
  error?: string;
  processes: ChildProcess[];
  canceled: boolean;
  compute?: string;
}

const terminal = new Set(["Completed", "Failed", "Canceled"]);

/** Signals an instance's whole process group (the shell, llmops and its Python workers), like a node going away. */
function signalInstance(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json" });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let text = "";
  for await (const chunk of req) text += (chunk as Buffer).toString();
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export class FakeJobsServer {
  readonly jobs = new Map<string, FakeJob>();
  /** Every job body accepted, in submission order. */
  readonly submitted: { name: string; body: Record<string, unknown> }[] = [];
  readonly faults: JobFault[] = [];
  readonly identityHeader = "fake-jobs-identity-header";
  readonly msiToken = "fake-jobs-msi-token";
  /** Instances (processes) running now, at most, seen so far. */
  maxConcurrentProcesses = 0;
  private server: LoopbackServer | undefined;
  /** ARM's machine learning definitions, when the reference folder is present (see armDefinitions.ts). */
  private readonly definitions: Record<string, Record<string, unknown>> | undefined;
  private readonly workDirs: string[] = [];
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: FakeJobsOptions) {
    this.definitions = armReferenceAvailable() ? loadArmDefinitions("machinelearningservices-2025-12-01.definitions.json") : undefined;
  }

  get containerName(): string {
    return this.options.container.containerName;
  }

  get url(): string {
    if (!this.server) throw new Error("not started");
    return this.server.url;
  }

  get workspaceId(): string {
    const ws = this.options.workspace;
    return `/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/${ws.workspaceName}`;
  }

  /** Whether PUT bodies are checked against ARM's definitions (the reference files are present). */
  get validatesAgainstArmDefinitions(): boolean {
    return this.definitions !== undefined;
  }

  async start(): Promise<this> {
    this.server = await listenOnLoopback(
      (req, res) => this.handle(req, res),
      (res, err) => send(res, 500, { error: { code: "InternalError", message: String(err) } }),
    );
    return this;
  }

  async close(): Promise<void> {
    for (const job of this.jobs.values()) for (const child of job.processes) signalInstance(child, "SIGKILL");
    await this.server?.close();
    for (const dir of this.workDirs) fs.rmSync(dir, { recursive: true, force: true });
  }

  /** Resolves once every job ended. */
  async idle(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ([...this.jobs.values()].some((job) => !terminal.has(job.status))) {
      if (Date.now() > deadline) throw new Error("jobs still running");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    if (url.pathname === "/msi/token") {
      if (req.headers["x-identity-header"] !== this.identityHeader) return send(res, 401, { error: "invalid_request" });
      return send(res, 200, { access_token: this.msiToken, expires_on: String(Math.floor(Date.now() / 1000) + 3600), resource: url.searchParams.get("resource") ?? "", token_type: "Bearer" });
    }
    if (!/^Bearer \S+/.test(req.headers.authorization ?? "")) return send(res, 401, { error: { code: "AuthenticationFailed", message: "no bearer token" } });
    const secret = /^\/keyvault\/secrets\/([^/]+)$/.exec(url.pathname);
    if (secret && method === "GET") {
      const value = this.options.secrets?.[decodeURIComponent(secret[1])];
      return value === undefined ? send(res, 404, { error: { code: "SecretNotFound", message: "secret not found" } }) : send(res, 200, { value, id: url.pathname });
    }
    if (url.searchParams.get("api-version") !== jobsApiVersion) return send(res, 400, { error: { code: "InvalidApiVersion", message: `expected api-version ${jobsApiVersion}` } });
    const ws = this.workspaceId;
    if (url.pathname === `${ws}/datastores` && method === "GET") return this.listDatastores(res);
    const jobMatch = new RegExp(`^${ws.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/jobs/([^/]+)(/cancel)?$`).exec(url.pathname);
    if (!jobMatch) return send(res, 404, { error: { code: "NotFound", message: `no route ${method} ${url.pathname}` } });
    const name = decodeURIComponent(jobMatch[1]);
    if (jobMatch[2] && method === "POST") return this.cancel(res, name);
    if (method === "GET") {
      const job = this.jobs.get(name);
      return job ? send(res, 200, this.view(job)) : send(res, 404, { error: { code: "UserError", message: `job ${name} not found` } });
    }
    if (method === "PUT") return this.submit(res, name, await readBody(req));
    send(res, 405, { error: { code: "MethodNotAllowed", message: method } });
  }

  private listDatastores(res: ServerResponse): void {
    const container = this.options.container;
    const name = this.options.datastoreName ?? "workspaceblobstore";
    send(res, 200, {
      value: [
        {
          id: `${this.workspaceId}/datastores/${name}`,
          name,
          properties: {
            datastoreType: "AzureBlob",
            isDefault: true,
            accountName: container.accountName,
            containerName: container.containerName,
            endpoint: "core.windows.net",
            protocol: "https",
            credentials: { credentialsType: "AccountKey" },
          },
        },
      ],
    });
  }

  private view(job: FakeJob): Record<string, unknown> {
    return { id: `${this.workspaceId}/jobs/${job.name}`, name: job.name, type: "Microsoft.MachineLearningServices/workspaces/jobs", properties: { ...record(job.body.properties), status: job.status } };
  }

  private problems(body: unknown): string[] {
    const problems = this.definitions ? armProblems(this.definitions, "JobBaseResource", body) : [];
    const properties = record(record(body).properties);
    if (properties.jobType !== "Command") problems.push("$.properties.jobType: this service runs Command jobs");
    if (typeof properties.command !== "string" || properties.command === "") problems.push("$.properties.command: required");
    if (!this.options.environments.includes(String(properties.environmentId))) problems.push(`$.properties.environmentId: environment ${String(properties.environmentId)} not found`);
    const compute = properties.computeId;
    const resources = record(properties.resources);
    if (compute === undefined) {
      if (typeof resources.instanceType !== "string") problems.push("$.properties.resources.instanceType: serverless jobs need an instance type");
    } else if (!Object.keys(this.options.clusters).some((cluster) => compute === `${this.workspaceId}/computes/${cluster}`)) {
      problems.push(`$.properties.computeId: compute ${String(compute)} not found`);
    }
    const identity = record(properties.identity);
    if (identity.identityType === "Managed" && !(String(identity.resourceId) in this.options.identities)) problems.push(`$.properties.identity.resourceId: identity not attached to the compute`);
    return problems;
  }

  private submit(res: ServerResponse, name: string, body: unknown): void {
    if (this.jobs.has(name)) return send(res, 409, { error: { code: "UserError", message: `job ${name} exists; jobs cannot be updated` } });
    const problems = this.problems(body);
    if (problems.length > 0) return send(res, 400, { error: { code: "UserError", message: `invalid job: ${problems.join("; ")}` } });
    const properties = record(record(body).properties);
    const computeId = typeof properties.computeId === "string" ? properties.computeId : undefined;
    const job: FakeJob = { name, body: body as Record<string, unknown>, status: "NotStarted", processes: [], canceled: false, ...(computeId ? { compute: computeId.split("/").pop()! } : {}) };
    this.jobs.set(name, job);
    this.submitted.push({ name, body: job.body });
    send(res, 201, this.view(job));
    void this.run(job).catch((err: unknown) => {
      job.status = "Failed";
      job.error = err instanceof Error ? err.message : String(err);
      this.release();
    });
  }

  private cancel(res: ServerResponse, name: string): void {
    const job = this.jobs.get(name);
    if (!job) return send(res, 404, { error: { code: "UserError", message: `job ${name} not found` } });
    if (!terminal.has(job.status)) {
      job.canceled = true;
      job.status = "CancelRequested";
      for (const child of job.processes) signalInstance(child, "SIGTERM");
      if (job.processes.length === 0) job.status = "Canceled";
    }
    res.writeHead(202, { location: `${this.url}${this.workspaceId}/jobs/${name}?api-version=${jobsApiVersion}` });
    res.end();
  }

  private running(compute: string): number {
    return [...this.jobs.values()].filter((job) => job.compute === compute && (job.status === "Running" || job.status === "Finalizing")).length;
  }

  private release(): void {
    for (const wake of this.waiting.splice(0)) wake();
  }

  private async run(job: FakeJob): Promise<void> {
    job.status = "Queued";
    const cluster = job.compute !== undefined ? this.options.clusters[job.compute] : undefined;
    while (cluster !== undefined && this.running(job.compute!) >= cluster.maxNodes && !job.canceled) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    if (job.canceled) {
      job.status = "Canceled";
      return;
    }
    const fault = this.takeFault("failJob", job.name);
    if (fault?.kind === "failJob") {
      job.status = "Failed";
      job.error = fault.message;
      this.release();
      return;
    }
    job.status = "Preparing";
    const properties = record(job.body.properties);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-fake-job-"));
    this.workDirs.push(work);
    const paths: Record<string, string> = {};
    for (const [name, input] of Object.entries(record(properties.inputs))) {
      const spec = record(input);
      const local = path.join(work, "inputs", name);
      paths[`inputs.${name}`] = spec.jobInputType === "uri_folder" ? await this.downloadFolder(String(spec.uri), local) : await this.downloadFile(String(spec.uri), local);
    }
    const outputs: { local: string; blobPrefix: string }[] = [];
    for (const [name, output] of Object.entries(record(properties.outputs))) {
      const local = path.join(work, "outputs", name);
      fs.mkdirSync(local, { recursive: true });
      paths[`outputs.${name}`] = local;
      outputs.push({ local, blobPrefix: this.blobPath(String(record(output).uri)) });
    }
    const command = String(properties.command).replace(/\$\{\{\s*(inputs|outputs)\.([A-Za-z0-9_]+)\s*\}\}/g, (whole, kind: string, name: string) => {
      const local = paths[`${kind}.${name}`];
      if (local === undefined) throw new Error(`command references ${whole}, which the job does not declare`);
      return `'${local}'`;
    });
    const identity = record(properties.identity);
    const instances = Number(record(properties.resources).instanceCount ?? 1);
    const environment: Record<string, string> = {
      PATH: `${this.options.imageBin}${path.delimiter}${process.env.PATH ?? ""}`,
      HOME: work,
      IDENTITY_ENDPOINT: `${this.url}/msi/token`,
      IDENTITY_HEADER: this.identityHeader,
      ...(identity.identityType === "Managed" ? { DEFAULT_IDENTITY_CLIENT_ID: this.options.identities[String(identity.resourceId)] } : {}),
      ...(record(properties.environmentVariables) as Record<string, string>),
    };
    if (job.canceled) {
      job.status = "Canceled";
      return;
    }
    job.status = "Running";
    const uploaded = new Map<string, number>();
    const sync = async (): Promise<void> => {
      for (const output of outputs) {
        for (const file of fs.readdirSync(output.local)) {
          if (file.endsWith(".tmp")) continue;
          const full = path.join(output.local, file);
          const stat = fs.statSync(full);
          if (uploaded.get(full) === stat.mtimeMs) continue;
          await this.options.container.getBlockBlobClient(`${output.blobPrefix}${file}`).uploadFile(full);
          uploaded.set(full, stat.mtimeMs);
        }
      }
    };
    const exits = Array.from({ length: instances }, (_, rank) => {
      const child = spawn("/bin/sh", ["-c", command], { env: { ...environment, AZUREML_NODE_RANK: String(rank) }, cwd: work, stdio: ["ignore", "pipe", "pipe"], detached: true });
      job.processes.push(child);
      let log = "";
      child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
      child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
      return new Promise<{ code: number | null; signal: NodeJS.Signals | null; log: string }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, log })));
    });
    const running = (): number => job.processes.filter((child) => child.exitCode === null && child.signalCode === null).length;
    this.maxConcurrentProcesses = Math.max(this.maxConcurrentProcesses, [...this.jobs.values()].reduce((sum, other) => sum + other.processes.filter((child) => child.exitCode === null).length, 0));
    const kill = this.takeFault("killInstance", job.name);
    while (running() > 0) {
      await sync();
      if (kill?.kind === "killInstance" && outputs.some((output) => fs.readdirSync(output.local).filter((file) => !file.endsWith(".tmp")).length >= kill.afterFiles)) {
        for (const child of job.processes) signalInstance(child, "SIGKILL");
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const results = await Promise.all(exits);
    job.status = "Finalizing";
    await sync();
    const failed = results.find((result) => result.code !== 0);
    if (job.canceled) job.status = "Canceled";
    else if (failed) {
      job.status = "Failed";
      job.error = `instance exited with ${failed.code ?? failed.signal}: ${failed.log.trim().split("\n").slice(-3).join(" | ")}`;
    } else job.status = "Completed";
    this.release();
  }

  private takeFault(kind: JobFault["kind"], jobName: string): JobFault | undefined {
    const index = this.faults.findIndex((fault) => fault.kind === kind && jobName.endsWith(fault.jobNameEndsWith));
    return index < 0 ? undefined : this.faults.splice(index, 1)[0];
  }

  /** `azureml://datastores/<ds>/paths/<path>` → `<path>`. */
  private blobPath(uri: string): string {
    const match = /^azureml:\/\/datastores\/([^/]+)\/paths\/(.*)$/.exec(uri);
    if (!match || match[1] !== (this.options.datastoreName ?? "workspaceblobstore")) throw new Error(`unsupported data URI ${uri}`);
    return match[2];
  }

  private async downloadFile(uri: string, local: string): Promise<string> {
    const blobPath = this.blobPath(uri);
    const file = path.join(local, path.posix.basename(blobPath));
    fs.mkdirSync(local, { recursive: true });
    await this.options.container.getBlockBlobClient(blobPath).downloadToFile(file);
    return file;
  }

  private async downloadFolder(uri: string, local: string): Promise<string> {
    const prefix = this.blobPath(uri);
    let count = 0;
    for await (const blob of this.options.container.listBlobsFlat({ prefix })) {
      const file = path.join(local, ...blob.name.slice(prefix.length).split("/"));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await this.options.container.getBlockBlobClient(blob.name).downloadToFile(file);
      count++;
    }
    if (count === 0) throw new Error(`input folder ${uri} is empty or missing`);
    return local;
  }
}
