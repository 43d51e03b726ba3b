import type { StackSettings } from "../config/stackSettings";
import { resourceId } from "./azureTarget";
import type { AzureTarget, FlowPlan, ImagePlan, JobsPlan } from "./types";

export const defaultJobsVmSize = "Standard_D4s_v3";
export const defaultJobsMaxNodes = 4;
export const defaultIdleSecondsBeforeScaleDown = 900;

/** `llmops-dev`: compute names are 2-16 letters, digits or hyphens, starting with a letter. */
function defaultClusterName(environment: string): string {
  return `llmops-${environment.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}`.slice(0, 16).replace(/-+$/, "");
}

/** The jobs part of a stack (llmops:jobs), with defaults; undefined when the stack does not declare jobs. Pure. */
export function buildJobsPlan(settings: StackSettings, azure: AzureTarget, flow: FlowPlan, image: ImagePlan): JobsPlan | undefined {
  const jobs = settings.jobs;
  if (jobs === undefined) return undefined;
  const identityName = `${flow.model.name}-jobs`.replace(/_/g, "-");
  const environmentName = `${flow.model.name}-jobs`;
  return {
    clusterName: jobs.clusterName ?? defaultClusterName(settings.environment),
    vmSize: jobs.vmSize ?? defaultJobsVmSize,
    minNodes: 0,
    maxNodes: jobs.maxNodes ?? defaultJobsMaxNodes,
    lowPriority: jobs.lowPriority ?? false,
    idleTimeBeforeScaleDown: `PT${jobs.idleSecondsBeforeScaleDown ?? defaultIdleSecondsBeforeScaleDown}S`,
    identityName,
    identityId: resourceId(azure.subscriptionId, azure.resourceGroupName, "Microsoft.ManagedIdentity/userAssignedIdentities", identityName),
    environmentName,
    environmentVersion: image.tag,
    environmentId: `${azure.workspace.id}/environments/${environmentName}/versions/${image.tag}`,
  };
}
