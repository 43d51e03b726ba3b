/**
 * Azure ML command jobs and the workspace's default datastore through Azure Resource Manager (api-version
 * 2025-12-01, as the rest of the project). A job is created with PUT `<workspace>/jobs/<name>` (body: a
 * `CommandJob`), read with GET (`properties.status`) and cancelled with POST `<workspace>/jobs/<name>/cancel`.
 */
import { ArmError } from "../arm/armError";
import { isRecord } from "../../core/values";
import type { ArmClient } from "../arm/armClient";
import type { BlobDatastoreLocation } from "../blob/datastoreBlobs";

export const machineLearningJobsApiVersion = "2025-12-01";

/** Statuses after which a job changes no more. */
export const terminalJobStatuses = ["Completed", "Failed", "Canceled", "NotResponding", "Paused"] as const;

export type JobStatus =
  | "NotStarted"
  | "Starting"
  | "Provisioning"
  | "Preparing"
  | "Queued"
  | "Running"
  | "Finalizing"
  | "CancelRequested"
  | "Completed"
  | "Failed"
  | "Canceled"
  | "NotResponding"
  | "Paused"
  | "Unknown";

export function isTerminalJobStatus(status: JobStatus): boolean {
  return (terminalJobStatuses as readonly string[]).includes(status);
}

/** Where the job runs: a compute cluster of the workspace, or serverless compute of an instance type. */
export type JobCompute = { kind: "cluster"; name: string } | { kind: "serverless"; instanceType: string };

export interface CommandJobInput {
  type: "uri_file" | "uri_folder";
  /** `azureml://datastores/<name>/paths/<path>` */
  uri: string;
  mode: "ReadOnlyMount" | "Download";
}

export interface CommandJobSpec {
  displayName: string;
  experimentName: string;
  description: string;
  tags: Record<string, string>;
  /** Shell command with `${{inputs.<name>}}` / `${{outputs.<name>}}` placeholders. */
  command: string;
  environmentId: string;
  environmentVariables: Record<string, string>;
  inputs: Record<string, CommandJobInput>;
  /** uri_folder outputs, mounted read-write at the given datastore URI. */
  outputs: Record<string, { uri: string }>;
  compute: JobCompute;
  /** ARM ID of the user-assigned identity the job runs as; undefined: the workspace's default (AMLToken). */
  identityResourceId?: string;
  /** ISO 8601 duration after which Azure ML cancels the job. */
  timeout?: string;
}

/** `azureml://datastores/<datastore>/paths/<path>`: a datastore path as job inputs and outputs take it. */
export function datastoreUri(datastore: string, path: string): string {
  return `azureml://datastores/${datastore}/paths/${path}`;
}

/** The JobBaseResource body of a CommandJob, exactly as PUT sends it. Pure. */
export function commandJobBody(workspaceId: string, spec: CommandJobSpec): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const [name, input] of Object.entries(spec.inputs)) inputs[name] = { jobInputType: input.type, uri: input.uri, mode: input.mode };
  const outputs: Record<string, unknown> = {};
  for (const [name, output] of Object.entries(spec.outputs)) outputs[name] = { jobOutputType: "uri_folder", uri: output.uri, mode: "ReadWriteMount" };
  const properties: Record<string, unknown> = {
    jobType: "Command",
    displayName: spec.displayName,
    experimentName: spec.experimentName,
    description: spec.description,
    tags: spec.tags,
    command: spec.command,
    environmentId: spec.environmentId,
    environmentVariables: spec.environmentVariables,
    inputs,
    outputs,
    identity: spec.identityResourceId !== undefined ? { identityType: "Managed", resourceId: spec.identityResourceId } : { identityType: "AMLToken" },
    resources: spec.compute.kind === "serverless" ? { instanceCount: 1, instanceType: spec.compute.instanceType } : { instanceCount: 1 },
  };
  if (spec.compute.kind === "cluster") properties.computeId = `${workspaceId}/computes/${spec.compute.name}`;
  if (spec.timeout !== undefined) properties.limits = { jobLimitsType: "Command", timeout: spec.timeout };
  return { properties };
}

export function jobPath(workspaceId: string, name: string): string {
  return `${workspaceId}/jobs/${encodeURIComponent(name)}`;
}

export function datastoresPath(workspaceId: string): string {
  return `${workspaceId}/datastores`;
}

export interface JobState {
  status: JobStatus;
  /** Azure ML's error message of a failed job, when it gives one. */
  error?: string;
}

export function jobStateOf(body: unknown): JobState {
  const properties = isRecord(body) && isRecord(body.properties) ? body.properties : {};
  const status = typeof properties.status === "string" ? (properties.status as JobStatus) : "Unknown";
  const state: JobState = { status };
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (error !== undefined && typeof error.message === "string") state.error = error.message;
  return state;
}

/** The jobs API of one workspace. */
export class WorkspaceJobs {
  constructor(
    private readonly arm: ArmClient,
    readonly workspaceId: string,
  ) {}

  async submit(name: string, body: Record<string, unknown>): Promise<JobState> {
    return jobStateOf(await this.arm.put(jobPath(this.workspaceId, name), machineLearningJobsApiVersion, body));
  }

  async state(name: string): Promise<JobState> {
    return jobStateOf(await this.arm.get(jobPath(this.workspaceId, name), machineLearningJobsApiVersion));
  }

  async cancel(name: string): Promise<void> {
    await this.arm.post(`${jobPath(this.workspaceId, name)}/cancel`, machineLearningJobsApiVersion);
  }

  /** The workspace's default datastore (ARM's `isDefault`), which must be an Azure Blob datastore. */
  async defaultDatastore(): Promise<{ name: string; location: BlobDatastoreLocation }> {
    const label = `GET ${datastoresPath(this.workspaceId)}`;
    const items = await this.arm.list(`${datastoresPath(this.workspaceId)}?isDefault=true`, machineLearningJobsApiVersion);
    const found = items.find((item) => isRecord(item) && isRecord(item.properties) && item.properties.isDefault === true) ?? items[0];
    if (!isRecord(found) || !isRecord(found.properties) || typeof found.name !== "string") {
      throw new ArmError(label, undefined, "NoDefaultDatastore", "the workspace lists no default datastore");
    }
    const properties = found.properties;
    if (properties.datastoreType !== "AzureBlob" || typeof properties.accountName !== "string" || typeof properties.containerName !== "string") {
      throw new ArmError(label, undefined, "UnsupportedDatastore", `default datastore '${found.name}' is not an Azure Blob datastore with an account and container`);
    }
    return {
      name: found.name,
      location: {
        accountName: properties.accountName,
        containerName: properties.containerName,
        endpoint: typeof properties.endpoint === "string" ? properties.endpoint : "core.windows.net",
        protocol: typeof properties.protocol === "string" ? properties.protocol : "https",
      },
    };
  }
}
