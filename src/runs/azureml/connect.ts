/**
 * From `--on azureml --stack <name>` to what runOnAzureMl needs: the stack's plan (workspace, jobs cluster,
 * identity, environment, vault; built by the same pure planner `pulumi up` uses), an ARM client with the caller's
 * credential, the workspace's default datastore and its blob container. `--dry-run` gets recorders instead and
 * contacts nothing.
 */
import { randomBytes } from "node:crypto";
import { armBaseUrlFromEnvironment, armClientFromEnvironment, azureTokenSource } from "../../azure/arm/armToken";
import { openBlobStore, storageTokenScope } from "../../azure/blob/datastoreBlobs";
import { keyVaultUrl } from "../../azure/keyVaultSecrets";
import { WorkspaceJobs, type JobCompute } from "../../azure/ml/commandJobs";
import { planStackFile } from "../../plan/load/planSources";
import { defaultDatastoreName } from "../../azure/ml/workspaceDatastore";
import { UserError } from "../../core/userError";
import type { FailureBudget } from "../failureBudget";
import { RequestRecorder } from "./dryRun";
import type { AzureMlServices, AzureMlSettings } from "./runOnAzureMl";
import { DatastoreUploads } from "./uploads";

/** What the command line asks for. */
export interface AzureMlRequest {
  stack: string;
  projectRoot: string;
  instances?: number;
  /** Lines in flight per instance. */
  concurrency?: number;
  miniBatchSize?: number;
  /** A cluster other than the stack's. */
  compute?: string;
  /** Serverless compute of this VM size instead of a cluster. */
  instanceType?: string;
  /** `--max-failed`: the jobs are cancelled once more lines failed than it allows. */
  failureBudget?: FailureBudget;
  dryRun: boolean;
  /** Wait between polls of the jobs. Default 10 s. */
  pollIntervalMs?: number;
}

export const defaultMiniBatchSize = 100;
export const defaultInstanceConcurrency = 16;
const defaultMaxAttempts = 3;
/** Where a local Key Vault stands in (tests); in Azure the vault's address derives from its name. */
export const keyVaultUrlVariable = "LLMOPS_KEY_VAULT_URL";

export interface AzureMlConnection {
  settings: AzureMlSettings;
  services: AzureMlServices;
  /** Set for --dry-run: what would have been sent. */
  recorder?: RequestRecorder;
}

export async function connectAzureMl(request: AzureMlRequest, flowName: string, env: Record<string, string | undefined>): Promise<AzureMlConnection> {
  if (!/^[A-Za-z0-9_.-]+$/.test(request.stack)) throw new UserError(`--stack '${request.stack}': use letters, digits, '-', '_' and '.'`);
  const stackConfigFile = `Pulumi.${request.stack}.yaml`;
  const plan = planStackFile(request.projectRoot, request.stack, { environmentVariables: env });
  const jobs = plan.jobs;
  if (jobs === undefined) {
    throw new UserError(`${stackConfigFile} declares no Azure ML jobs: add llmops:jobs (see README, "Running at scale") and run pulumi up`);
  }
  if (request.compute !== undefined && request.instanceType !== undefined) throw new UserError("give --compute or --instance-type, not both");
  const compute: JobCompute =
    request.instanceType !== undefined ? { kind: "serverless", instanceType: request.instanceType } : { kind: "cluster", name: request.compute ?? jobs.clusterName };
  const instances = request.instances ?? (compute.kind === "cluster" && request.compute === undefined ? jobs.maxNodes : 1);
  const settings: AzureMlSettings = {
    instances,
    concurrency: request.concurrency ?? defaultInstanceConcurrency,
    miniBatchSize: request.miniBatchSize ?? defaultMiniBatchSize,
    maxAttempts: defaultMaxAttempts,
    pollIntervalMs: request.pollIntervalMs ?? 10_000,
    compute,
    environmentId: jobs.environmentId,
    identityResourceId: jobs.identityId,
    keyVaultUrl: env[keyVaultUrlVariable]?.trim() || keyVaultUrl(plan.azure.keyVault.name),
    experimentName: `llmops-${flowName}`,
    ...(request.failureBudget !== undefined ? { failureBudget: request.failureBudget } : {}),
  };
  const jobGroup = (): string => `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  const workspaceId = plan.azure.workspace.id;

  if (request.dryRun) {
    const recorder = new RequestRecorder(armBaseUrlFromEnvironment(env), defaultDatastoreName);
    const blobs = recorder.blobs();
    return {
      settings,
      services: { jobs: recorder.jobs(workspaceId), blobs, uploads: new DatastoreUploads(blobs), datastore: recorder.datastore, jobGroup, dryRun: true },
      recorder,
    };
  }
  const workspaceJobs = new WorkspaceJobs(armClientFromEnvironment(env), workspaceId);
  const datastore = await workspaceJobs.defaultDatastore();
  const blobs = openBlobStore(datastore.location, env, azureTokenSource(storageTokenScope, env));
  return { settings, services: { jobs: workspaceJobs, blobs, uploads: new DatastoreUploads(blobs), datastore: datastore.name, jobGroup, dryRun: false } };
}
