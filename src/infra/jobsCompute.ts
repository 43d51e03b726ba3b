import * as pulumi from "@pulumi/pulumi";
import * as machinelearningservices from "@pulumi/azure-native/machinelearningservices";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import type { InfraPlan, JobsPlan } from "../plan/types";
import { longLivedTags } from "./resourceTags";

export interface JobsComputeArgs {
  plan: InfraPlan;
  jobs: JobsPlan;
  /** The flow image by digest: jobs run our engine (`llmops run-shard`) in the serving image. */
  repoDigest: pulumi.Input<string>;
}

/**
 * What `--on azureml` runs need that lives long: the identity jobs run as, a compute cluster that scales to zero
 * when idle (nodes cost nothing between runs) and carries that identity, and an environment on the flow image.
 * The identity's roles are planned with the others (AccessGrants, principal "jobs").
 */
export class JobsCompute extends pulumi.ComponentResource {
  readonly identity: managedidentity.UserAssignedIdentity;
  readonly clusterId: pulumi.Output<string>;
  readonly environmentId: pulumi.Output<string>;

  constructor(name: string, args: JobsComputeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llmops:infra:JobsCompute", name, {}, opts);
    const { plan, jobs } = args;
    const tags = longLivedTags(plan.tags);

    this.identity = new managedidentity.UserAssignedIdentity(
      "jobs-identity",
      { resourceName: jobs.identityName, resourceGroupName: plan.azure.resourceGroupName, location: plan.azure.location, tags },
      { parent: this },
    );

    const cluster = new machinelearningservices.Compute(
      "jobs-cluster",
      {
        computeName: jobs.clusterName,
        resourceGroupName: plan.azure.resourceGroupName,
        workspaceName: plan.azure.workspace.name,
        location: plan.azure.location,
        identity: { type: "UserAssigned", userAssignedIdentities: [this.identity.id] },
        tags,
        properties: {
          computeType: "AmlCompute",
          description: `llmops jobs of ${plan.flow.name} (${plan.environment})`,
          disableLocalAuth: true,
          properties: {
            vmSize: jobs.vmSize,
            vmPriority: jobs.lowPriority ? "LowPriority" : "Dedicated",
            osType: "Linux",
            remoteLoginPortPublicAccess: "Disabled",
            scaleSettings: { minNodeCount: jobs.minNodes, maxNodeCount: jobs.maxNodes, nodeIdleTimeBeforeScaleDown: jobs.idleTimeBeforeScaleDown },
          },
        },
      },
      { parent: this },
    );
    this.clusterId = cluster.id;

    const environment = new machinelearningservices.EnvironmentVersion(
      "jobs-environment",
      {
        name: jobs.environmentName,
        version: jobs.environmentVersion,
        resourceGroupName: plan.azure.resourceGroupName,
        workspaceName: plan.azure.workspace.name,
        properties: {
          description: `Jobs of prompt flow ${plan.flow.name}: llmops run-shard in the flow image`,
          image: args.repoDigest,
          osType: "Linux",
          tags: { ...plan.tags, "flow-name": plan.flow.name },
        },
      },
      // Immutable, and a running job may still use an older version.
      { parent: this, retainOnDelete: true },
    );
    this.environmentId = environment.id;

    this.registerOutputs({ identityClientId: this.identity.clientId, clusterId: this.clusterId, environmentId: this.environmentId });
  }
}
