/**
 * What the stack's configuration says about its deployments, which the outputs alone do not: each endpoint's auth
 * mode, which deployment is the prior and which the current one, the smoke-test request file (TEST_FILE_PATH of
 * deployment_config.json for the stack's environment) and the workspace the endpoint lives in. Built with the same
 * pure plan builder `pulumi up` uses (Pulumi.<stack>.yaml + deployment_config.json), so it is what was deployed.
 */
import { planStackFile } from "../../plan/load/planSources";
import type { EndpointAuthMode, EndpointPlan, InfraPlan } from "../../plan/types";
import { UserError } from "../../core/userError";
import type { EndpointKind } from "./stackOutputs";

/** An online endpoint of the stack, managed or Kubernetes: evaluated the same way. */
export interface StackEndpoint {
  kind: EndpointKind;
  name: string;
  authMode: EndpointAuthMode;
  deployments: { name: string; role: "current" | "prior" }[];
  /** Absolute path of the smoke-test request. */
  testFile: string;
  /** ARM ID of the workspace: `<id>/onlineEndpoints/<name>/listKeys` gives the keys. */
  workspaceId: string;
}

export interface StackDeployment {
  stack: string;
  environment: string;
  /** The managed endpoint first, then the Kubernetes one. */
  endpoints: StackEndpoint[];
  webApp?: { name: string; testFile: string };
}

function stackEndpointOf(plan: InfraPlan, endpoint: EndpointPlan): StackEndpoint {
  return {
    kind: endpoint.compute.kind,
    name: endpoint.name,
    authMode: endpoint.authMode,
    deployments: endpoint.deployments.map((d) => ({ name: d.name, role: d.role })),
    testFile: endpoint.testFilePath,
    workspaceId: plan.azure.workspace.id,
  };
}

/** Pure: the parts of a stack's plan evaluation uses. */
export function stackDeploymentOf(plan: InfraPlan): StackDeployment {
  const endpoints = [plan.endpoint, plan.kubernetesEndpoint].flatMap((endpoint) => (endpoint === undefined ? [] : [stackEndpointOf(plan, endpoint)]));
  const deployment: StackDeployment = { stack: plan.stack, environment: plan.environment, endpoints };
  if (plan.webApp !== undefined) deployment.webApp = { name: plan.webApp.webAppName, testFile: plan.webApp.testFilePath };
  return deployment;
}

export function readStackDeployment(stack: string, projectRoot: string, environmentVariables: Record<string, string | undefined>, deploymentConfigPath?: string): StackDeployment {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UserError(`--stack '${stack}': use letters, digits, '-', '_' and '.'`);
  return stackDeploymentOf(planStackFile(projectRoot, stack, { environmentVariables, ...(deploymentConfigPath !== undefined ? { deploymentConfigPath } : {}) }));
}
