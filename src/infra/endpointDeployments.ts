import * as pulumi from "@pulumi/pulumi";
import * as machinelearningservices from "@pulumi/azure-native/machinelearningservices";
import * as monitor from "@pulumi/azure-native/monitor";
import type { EndpointPlan, InfraPlan } from "../plan/types";
import { WorkspaceRef } from "./azureIds";
import { cpuAutoscaleProfile } from "./autoscaleSpecs";
import { deploymentSku, endpointResourceName, ignoredDeploymentChanges, onlineDeploymentProperties, servedAssets } from "./deploymentSpecs";
import { declareEndpointTraffic } from "./endpointTraffic";
import { environmentVersionProperties } from "./imageSpecs";
import { ScoringEndpoint } from "./scoringEndpoint";
import { longLivedTags } from "./resourceTags";

export interface EndpointDeploymentsArgs {
  plan: InfraPlan;
  endpointPlan: EndpointPlan;
  endpoint: ScoringEndpoint;
  /** This run's build: what candidate and (at creation) frozen deployments serve. */
  build: { modelId: pulumi.Input<string>; environmentId: pulumi.Input<string> };
  /** Role assignments and access policies the endpoint identity needs before a deployment starts. */
  grants: pulumi.Resource[];
  /** Values of the deployments' secretEnvironmentVariables, by variable name, as Pulumi secrets. */
  secretValues?: Record<string, pulumi.Input<string>>;
  /** Whether EndpointTraffic carries its provider's serialised code (default true; the offline plan needs none). */
  serialiseTrafficProvider?: boolean;
}

/**
 * One deployment per plan deployment (managed or Kubernetes, as the endpoint's compute), the Azure Monitor
 * autoscale settings of managed ones, then the traffic split once all exist. Pulumi names are the deployment
 * names, never the role: swapping current and prior changes inputs, never URNs, so no deployment is ever
 * replaced by a promotion.
 */
export class EndpointDeployments extends pulumi.ComponentResource {
  readonly deploymentNames: string[];
  readonly traffic: pulumi.Output<Record<string, number>>;
  readonly mirrorTraffic: pulumi.Output<Record<string, number>>;

  constructor(name: string, args: EndpointDeploymentsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llmops:infra:EndpointDeployments", name, {}, opts);
    const { plan, endpointPlan, endpoint } = args;
    const compute = endpointPlan.compute;
    const resourceName = (name: string): string => endpointResourceName(compute, name);
    const ws: WorkspaceRef = {
      subscriptionId: plan.azure.subscriptionId,
      resourceGroupName: plan.azure.resourceGroupName,
      workspaceName: plan.azure.workspace.name,
    };

    const deployments = endpointPlan.deployments.map((deployment) => {
      const served = servedAssets(deployment.serves, plan.flow, ws);
      let refs: { model: pulumi.Input<string>; environmentId: pulumi.Input<string> } = {
        model: args.build.modelId,
        environmentId: args.build.environmentId,
      };
      if (served.kind === "pinned") {
        let environmentId: pulumi.Input<string>;
        if (served.environment.kind === "image") {
          const pinnedEnvironment = new machinelearningservices.EnvironmentVersion(
            resourceName(`${deployment.name}-pinned-environment`),
            {
              name: served.environment.name,
              version: served.environment.version,
              resourceGroupName: ws.resourceGroupName,
              workspaceName: ws.workspaceName,
              properties: environmentVersionProperties(plan.flow, served.environment.image, longLivedTags(plan.tags)),
            },
            { parent: this, retainOnDelete: true },
          );
          environmentId = pinnedEnvironment.id;
        } else {
          environmentId = served.environment.id;
        }
        refs = { model: served.modelId, environmentId };
      }

      const resource = new machinelearningservices.OnlineDeployment(
        resourceName(deployment.name),
        {
          deploymentName: deployment.name,
          endpointName: endpoint.endpointName,
          resourceGroupName: ws.resourceGroupName,
          workspaceName: ws.workspaceName,
          location: plan.azure.location,
          sku: deploymentSku(deployment),
          properties: onlineDeploymentProperties(compute, deployment, refs, plan.image.engine, args.secretValues ?? {}),
          tags: { ...longLivedTags(plan.tags), "deployment-role": deployment.role },
        },
        {
          parent: this,
          dependsOn: [endpoint.resource, ...args.grants],
          ignoreChanges: ignoredDeploymentChanges(deployment, compute),
        },
      );

      // Kubernetes deployments autoscale through their scale settings (declared above), not Azure Monitor.
      if (deployment.autoscale !== undefined && compute.kind === "managed") {
        const autoscale = deployment.autoscale;
        new monitor.AutoscaleSetting(
          `${deployment.name}-autoscale`,
          {
            autoscaleSettingName: `${endpointPlan.name}-${deployment.name}-autoscale`,
            resourceGroupName: ws.resourceGroupName,
            location: plan.azure.location,
            enabled: true,
            targetResourceUri: resource.id,
            profiles: [resource.id.apply((id) => cpuAutoscaleProfile(autoscale, deployment.instanceCount, id))],
            tags: longLivedTags(plan.tags),
          },
          { parent: this },
        );
      }
      return resource;
    });

    const traffic = declareEndpointTraffic(
      resourceName("traffic"),
      {
        subscriptionId: ws.subscriptionId,
        resourceGroupName: ws.resourceGroupName,
        workspaceName: ws.workspaceName,
        endpointName: endpoint.endpointName,
        traffic: endpointPlan.traffic,
        mirrorTraffic: endpointPlan.mirrorTraffic,
      },
      { parent: this, dependsOn: deployments },
      args.serialiseTrafficProvider ?? true,
    );

    this.deploymentNames = endpointPlan.deployments.map((deployment) => deployment.name);
    this.traffic = traffic.traffic;
    this.mirrorTraffic = traffic.mirrorTraffic;
    this.registerOutputs({ deploymentNames: this.deploymentNames, traffic: this.traffic, mirrorTraffic: this.mirrorTraffic });
  }
}
