import * as pulumi from "@pulumi/pulumi";
import * as machinelearningservices from "@pulumi/azure-native/machinelearningservices";
import type { EndpointPlan, InfraPlan } from "../plan/types";
import { longLivedTags } from "./resourceTags";

export interface ScoringEndpointArgs {
  plan: InfraPlan;
  endpoint: EndpointPlan;
}

/**
 * The managed online endpoint with a system-assigned identity. Its traffic is owned by EndpointTraffic, which
 * runs after every deployment exists; `ignoreChanges` on traffic keeps this resource from ever PUTting the
 * endpoint back without it (which would route 0% everywhere, the template's defect #182).
 */
export class ScoringEndpoint extends pulumi.ComponentResource {
  readonly resource: machinelearningservices.OnlineEndpoint;
  readonly endpointName: pulumi.Output<string>;
  readonly scoringUri: pulumi.Output<string>;
  readonly principalId: pulumi.Output<string>;
  readonly tenantId: pulumi.Output<string>;

  constructor(name: string, args: ScoringEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llmops:infra:ScoringEndpoint", name, {}, opts);
    const { plan, endpoint } = args;
    this.resource = new machinelearningservices.OnlineEndpoint(
      "endpoint",
      {
        endpointName: endpoint.name,
        resourceGroupName: plan.azure.resourceGroupName,
        workspaceName: plan.azure.workspace.name,
        location: plan.azure.location,
        identity: { type: "SystemAssigned" },
        properties: { authMode: endpoint.authMode, description: endpoint.description },
        tags: longLivedTags(plan.tags),
      },
      { parent: this, ignoreChanges: endpointIgnoredChanges },
    );
    this.endpointName = this.resource.name;
    this.scoringUri = this.resource.properties.scoringUri;
    this.principalId = this.resource.identity.apply((identity) => requireIdentity(identity?.principalId, endpoint.name));
    this.tenantId = this.resource.identity.apply((identity) => requireIdentity(identity?.tenantId, endpoint.name));
    this.registerOutputs({ endpointName: this.endpointName, scoringUri: this.scoringUri, principalId: this.principalId });
  }
}

/** Properties EndpointTraffic owns. */
export const endpointIgnoredChanges = ["properties.traffic", "properties.mirrorTraffic"];

function requireIdentity(value: string | undefined, endpointName: string): string {
  if (value === undefined || value === "") {
    throw new Error(`online endpoint '${endpointName}' has no system-assigned identity`);
  }
  return value;
}
