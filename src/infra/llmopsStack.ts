import * as pulumi from "@pulumi/pulumi";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import type { PlannedStackOutputKey, StackOutputs } from "../plan/stackOutputs";
import type { InfraPlan, RolePrincipal } from "../plan/types";
import { AccessGrants, GrantedPrincipal } from "./accessGrants";
import { EndpointDeployments } from "./endpointDeployments";
import { FlowImage } from "./flowImage";
import { FlowModel } from "./flowModel";
import { FlowWebApp } from "./flowWebApp";
import { JobsCompute } from "./jobsCompute";
import type { RegistryTokenSource } from "../azure/registryToken";
import { ScoringEndpoint } from "./scoringEndpoint";
import { longLivedTags } from "./resourceTags";

/** The stack outputs as the program declares them: planned values as they are, the others as Outputs. */
export type DeclaredStackOutputs = Pick<StackOutputs, PlannedStackOutputKey> & {
  [K in keyof Omit<StackOutputs, PlannedStackOutputKey>]: pulumi.Output<NonNullable<StackOutputs[K]>>;
};

type EndpointOutputs = Required<Pick<DeclaredStackOutputs, "endpointName" | "scoringUri" | "deploymentNames" | "traffic" | "mirrorTraffic" | "endpointPrincipalId">>;

/** The Kubernetes endpoint's outputs: the managed endpoint's names with a `kubernetes` prefix. */
function kubernetesOutputs(outputs: EndpointOutputs): Partial<DeclaredStackOutputs> {
  return {
    kubernetesEndpointName: outputs.endpointName,
    kubernetesScoringUri: outputs.scoringUri,
    kubernetesDeploymentNames: outputs.deploymentNames,
    kubernetesTraffic: outputs.traffic,
    kubernetesMirrorTraffic: outputs.mirrorTraffic,
    kubernetesEndpointPrincipalId: outputs.endpointPrincipalId,
  };
}

export interface LlmopsStackArgs {
  plan: InfraPlan;
  /** Where the generated Dockerfile goes (tests point it at a temp folder). */
  dockerfileRoot?: string;
  /** ACR refresh tokens for an "entra" registry login: the real exchange (src/index.ts) or the offline plan's placeholder. */
  registryToken: RegistryTokenSource;
  /** Whether EndpointTraffic carries its provider's serialised code (default true; the offline plan needs none). */
  serialiseTrafficProvider?: boolean;
  /** Values of the deployments' secretEnvironmentVariables (env.yaml secrets), by variable name, as Pulumi secrets. */
  secretValues?: Record<string, pulumi.Input<string>>;
}

/**
 * Everything one stack declares, in dependency order: flow assets and image, then the identities, their grants,
 * then what runs under those identities (deployments, Web App), then traffic.
 */
export class LlmopsStack extends pulumi.ComponentResource {
  readonly outputs: DeclaredStackOutputs;

  constructor(name: string, args: LlmopsStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llmops:infra:LlmopsStack", name, {}, opts);
    const { plan } = args;

    const model = new FlowModel("flow", { plan }, { parent: this });
    const image = new FlowImage("image", { plan, dockerfileRoot: args.dockerfileRoot, registryToken: args.registryToken }, { parent: this });

    const principals: Partial<Record<RolePrincipal, GrantedPrincipal>> = {};
    // The managed endpoint keeps the component names it always had; the Kubernetes endpoint's are prefixed.
    const endpoints = [
      ...(plan.endpoint !== undefined ? [{ principal: "endpoint" as const, name: "endpoint", endpointPlan: plan.endpoint }] : []),
      ...(plan.kubernetesEndpoint !== undefined
        ? [{ principal: "kubernetesEndpoint" as const, name: "kubernetes-endpoint", endpointPlan: plan.kubernetesEndpoint }]
        : []),
    ].map((declared) => {
      const endpoint = new ScoringEndpoint(declared.name, { plan, endpoint: declared.endpointPlan }, { parent: this });
      principals[declared.principal] = { principalId: endpoint.principalId, tenantId: endpoint.tenantId };
      return { ...declared, endpoint };
    });

    const webAppIdentity =
      plan.webApp === undefined
        ? undefined
        : new managedidentity.UserAssignedIdentity(
            "webapp-identity",
            {
              resourceName: plan.webApp.identityName,
              resourceGroupName: plan.webApp.resourceGroupName,
              location: plan.azure.location,
              tags: longLivedTags(plan.tags),
            },
            { parent: this },
          );
    if (webAppIdentity !== undefined) principals.webapp = { principalId: webAppIdentity.principalId, tenantId: webAppIdentity.tenantId };
    const jobs = plan.jobs === undefined ? undefined : new JobsCompute("jobs", { plan, jobs: plan.jobs, repoDigest: image.repoDigest }, { parent: this });
    if (jobs !== undefined) principals.jobs = { principalId: jobs.identity.principalId, tenantId: jobs.identity.tenantId };

    const grants = new AccessGrants(
      "access",
      { plan, principals, workspaceStorageAccountId: model.storage.accountId },
      { parent: this },
    );

    this.outputs = {
      stack: plan.stack,
      environment: plan.environment,
      flowContentHash: plan.flow.contentHash,
      modelName: model.modelName,
      modelVersion: model.modelVersion,
      modelId: model.modelId,
      imageRepoDigest: image.repoDigest,
      environmentId: image.environmentId,
    };
    if (jobs !== undefined) {
      Object.assign(this.outputs, { jobsClusterId: jobs.clusterId, jobsIdentityClientId: jobs.identity.clientId, jobsEnvironmentId: jobs.environmentId });
    }

    for (const { principal, name, endpointPlan, endpoint } of endpoints) {
      const deployments = new EndpointDeployments(
        name === "endpoint" ? "deployments" : `${name}-deployments`,
        {
          plan,
          endpointPlan,
          endpoint,
          build: { modelId: model.modelId, environmentId: image.environmentId },
          grants: grants.grantsFor(principal),
          ...(args.secretValues !== undefined ? { secretValues: args.secretValues } : {}),
          ...(args.serialiseTrafficProvider !== undefined ? { serialiseTrafficProvider: args.serialiseTrafficProvider } : {}),
        },
        { parent: this },
      );
      const outputs: EndpointOutputs = {
        endpointName: endpoint.endpointName,
        scoringUri: endpoint.scoringUri,
        deploymentNames: deployments.deploymentNames,
        traffic: deployments.traffic,
        mirrorTraffic: deployments.mirrorTraffic,
        endpointPrincipalId: endpoint.principalId,
      };
      Object.assign(this.outputs, principal === "endpoint" ? outputs : kubernetesOutputs(outputs));
    }

    if (webAppIdentity !== undefined && plan.webApp !== undefined) {
      const webApp = new FlowWebApp(
        "webapp",
        { plan, webApp: plan.webApp, identity: webAppIdentity, repoDigest: image.repoDigest, grants: grants.grantsFor("webapp") },
        { parent: this },
      );
      Object.assign(this.outputs, {
        webAppName: webApp.webAppName,
        webAppUrl: webApp.url,
        webAppPrincipalId: webAppIdentity.principalId,
        webAppClientId: webAppIdentity.clientId,
      });
    }

    this.registerOutputs({ ...this.outputs });
  }
}
