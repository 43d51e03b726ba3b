/**
 * What the stack's configuration says about its deployments, which the outputs alone do not: the endpoint's auth
 * mode, which deployment is the prior and which the current one, the smoke-test request file (TEST_FILE_PATH of
 * deployment_config.json for the stack's environment) and the workspace the endpoint lives in. Built with the same
 * pure plan builder `pulumi up` uses (Pulumi.<stack>.yaml + deployment_config.json), so it is what was deployed.
 */
import { llmopsSettings, readStackConfigFile } from "../../config/stackConfigFile";
import { buildInfraPlan } from "../../plan/buildInfraPlan";
import type { EndpointAuthMode, InfraPlan } from "../../plan/types";
import { UserError } from "../../core/userError";

export interface StackDeployment {
  stack: string;
  environment: string;
  endpoint?: {
    name: string;
    authMode: EndpointAuthMode;
    deployments: { name: string; role: "current" | "prior" }[];
    /** Absolute path of the smoke-test request. */
    testFile: string;
    /** ARM ID of the workspace: `<id>/onlineEndpoints/<name>/listKeys` gives the keys. */
    workspaceId: string;
  };
  webApp?: { name: string; testFile: string };
}

/** Pure: the parts of a stack's plan evaluation uses. */
export function stackDeploymentOf(plan: InfraPlan): StackDeployment {
  const deployment: StackDeployment = { stack: plan.stack, environment: plan.environment };
  if (plan.endpoint !== undefined) {
    deployment.endpoint = {
      name: plan.endpoint.name,
      authMode: plan.endpoint.authMode,
      deployments: plan.endpoint.deployments.map((d) => ({ name: d.name, role: d.role })),
      testFile: plan.endpoint.testFilePath,
      workspaceId: plan.azure.workspace.id,
    };
  }
  if (plan.webApp !== undefined) deployment.webApp = { name: plan.webApp.webAppName, testFile: plan.webApp.testFilePath };
  return deployment;
}

export function readStackDeployment(stack: string, projectRoot: string, deploymentConfigPath?: string): StackDeployment {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UserError(`--stack '${stack}': use letters, digits, '-', '_' and '.'`);
  const stackConfigFile = `Pulumi.${stack}.yaml`;
  const plan = buildInfraPlan({
    stack,
    projectRoot,
    stackConfig: llmopsSettings(readStackConfigFile(projectRoot, stack)),
    stackConfigFile,
    environmentVariables: process.env,
    ...(deploymentConfigPath !== undefined ? { deploymentConfigPath } : {}),
  });
  return stackDeploymentOf(plan);
}
