import * as pulumi from "@pulumi/pulumi";
import * as machinelearningservices from "@pulumi/azure-native/machinelearningservices";
import type { EndpointPlan, InfraPlan } from "../plan/types";
import { endpointResourceName } from "./deploymentSpecs";
import { kubernetesComputeId } from "./kubernetesCompute";
import { LiveTraffic, readLiveTraffic } from "./liveTraffic";
import { longLivedTags } from "./resourceTags";

export interface ScoringEndpointArgs {
  plan: InfraPlan;
  endpoint: EndpointPlan;
}

/**
 * An online endpoint with a system-assigned identity: managed, or on an attached Kubernetes compute (looked up by
 * name with the `getCompute` invoke; its ARM ID is the endpoint's `compute`). The plan's traffic split is set by
 * EndpointTraffic, which runs after every deployment exists; this resource only ever re-sends the split that is
 * live right now.
 *
 * Why not `ignoreChanges` on traffic: with it, azure-native re-uses the *stored* input (empty, from creation)
 * whenever it PUTs the endpoint for another reason (description, tags, auth mode), and ARM then routes 0%
 * everywhere until EndpointTraffic runs minutes later (the template's defect #182). Reading the live split with
 * the `getOnlineEndpoint` invoke and declaring exactly that makes any such PUT a no-op for traffic.
 *
 * Consequence: after an `up` that changed the split, the stored endpoint input still holds the split that was
 * live before EndpointTraffic moved it, so the next `up` (and preview) shows one endpoint update whose traffic
 * equals the live split. That PUT changes nothing that serves; the update after it is clean again.
 */
export class ScoringEndpoint extends pulumi.ComponentResource {
  readonly resource: machinelearningservices.OnlineEndpoint;
  readonly endpointName: pulumi.Output<string>;
  readonly scoringUri: pulumi.Output<string>;
  readonly principalId: pulumi.Output<string>;
  readonly tenantId: pulumi.Output<string>;
  /** The split the endpoint served when the program started (`{}` before its first deployment). */
  readonly liveTraffic: pulumi.Output<LiveTraffic>;

  constructor(name: string, args: ScoringEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llmops:infra:ScoringEndpoint", name, {}, opts);
    const { plan, endpoint } = args;
    const compute = endpoint.compute;
    const workspace = { resourceGroupName: plan.azure.resourceGroupName, workspaceName: plan.azure.workspace.name };
    const computeId =
      compute.kind === "kubernetes"
        ? pulumi.output(
            kubernetesComputeId(() => machinelearningservices.getCompute({ computeName: compute.computeName, ...workspace }, { parent: this }), {
              computeName: compute.computeName,
              workspaceName: workspace.workspaceName,
              endpointName: endpoint.name,
            }),
          )
        : undefined;
    this.liveTraffic = pulumi.output(
      readLiveTraffic(
        () =>
          machinelearningservices.getOnlineEndpoint(
            { endpointName: endpoint.name, resourceGroupName: plan.azure.resourceGroupName, workspaceName: plan.azure.workspace.name },
            { parent: this },
          ),
        endpoint.name,
      ),
    );
    this.resource = new machinelearningservices.OnlineEndpoint(
      endpointResourceName(compute, "endpoint"),
      {
        endpointName: endpoint.name,
        resourceGroupName: plan.azure.resourceGroupName,
        workspaceName: plan.azure.workspace.name,
        location: plan.azure.location,
        identity: { type: "SystemAssigned" },
        properties: {
          authMode: endpoint.authMode,
          description: endpoint.description,
          traffic: this.liveTraffic.traffic,
          mirrorTraffic: this.liveTraffic.mirrorTraffic,
          ...(computeId !== undefined ? { compute: computeId } : {}),
        },
        tags: longLivedTags(plan.tags),
      },
      { parent: this },
    );
    this.endpointName = this.resource.name;
    this.scoringUri = this.resource.properties.scoringUri;
    this.principalId = this.resource.identity.apply((identity) => requireIdentity(identity?.principalId, endpoint.name));
    this.tenantId = this.resource.identity.apply((identity) => requireIdentity(identity?.tenantId, endpoint.name));
    this.registerOutputs({ endpointName: this.endpointName, scoringUri: this.scoringUri, principalId: this.principalId });
  }
}

function requireIdentity(value: string | undefined, endpointName: string): string {
  if (value === undefined || value === "") {
    throw new Error(`online endpoint '${endpointName}' has no system-assigned identity`);
  }
  return value;
}
