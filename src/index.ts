/**
 * The Pulumi program (Pulumi.yaml `main`): the stack's `llmops:*` config → InfraPlan → resources. Everything it
 * declares lives in src/infra; `llmops plan` runs this same code under mocks.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { declareLlmopsStack, planFromPulumiConfig } from "./infra/program";
import type { DeclaredStackOutputs } from "./infra/llmopsStack";
import { UserError } from "./core/userError";
import { entraRegistryTokenSource } from "./azure/registryToken";

function declare(): DeclaredStackOutputs {
  try {
    const plan = planFromPulumiConfig({
      stack: pulumi.getStack(),
      projectRoot: path.resolve(__dirname, ".."),
      allConfig: pulumi.runtime.allConfig(),
      environmentVariables: process.env,
    });
    return declareLlmopsStack(plan, { environmentVariables: process.env, registryToken: entraRegistryTokenSource({ env: process.env }) });
  } catch (err) {
    // RunError is printed by Pulumi as its message alone: a config mistake reads as one line, no stack trace.
    if (err instanceof UserError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

const outputs = declare();

export const stack = outputs.stack;
export const environment = outputs.environment;
export const flowContentHash = outputs.flowContentHash;
export const modelName = outputs.modelName;
export const modelVersion = outputs.modelVersion;
export const modelId = outputs.modelId;
export const imageRepoDigest = outputs.imageRepoDigest;
export const environmentId = outputs.environmentId;
export const endpointName = outputs.endpointName;
export const scoringUri = outputs.scoringUri;
export const deploymentNames = outputs.deploymentNames;
export const traffic = outputs.traffic;
export const mirrorTraffic = outputs.mirrorTraffic;
export const endpointPrincipalId = outputs.endpointPrincipalId;
export const kubernetesEndpointName = outputs.kubernetesEndpointName;
export const kubernetesScoringUri = outputs.kubernetesScoringUri;
export const kubernetesDeploymentNames = outputs.kubernetesDeploymentNames;
export const kubernetesTraffic = outputs.kubernetesTraffic;
export const kubernetesMirrorTraffic = outputs.kubernetesMirrorTraffic;
export const kubernetesEndpointPrincipalId = outputs.kubernetesEndpointPrincipalId;
export const webAppName = outputs.webAppName;
export const webAppUrl = outputs.webAppUrl;
export const webAppPrincipalId = outputs.webAppPrincipalId;
export const webAppClientId = outputs.webAppClientId;
export const jobsClusterId = outputs.jobsClusterId;
export const jobsIdentityClientId = outputs.jobsIdentityClientId;
export const jobsEnvironmentId = outputs.jobsEnvironmentId;
