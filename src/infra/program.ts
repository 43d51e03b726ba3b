import * as pulumi from "@pulumi/pulumi";
import { llmopsConfig } from "../config/stackConfigFile";
import { planStack } from "../plan/load/planSources";
import type { InfraPlan } from "../plan/types";
import { LlmopsStack, type DeclaredStackOutputs } from "./llmopsStack";
import type { RegistryTokenSource } from "../azure/registryToken";


export interface ProgramInput {
  stack: string;
  projectRoot: string;
  /** Pulumi's config, as `pulumi.runtime.allConfig()` returns it (namespaced keys). */
  allConfig: Record<string, string>;
  environmentVariables: Record<string, string | undefined>;
  deploymentConfigPath?: string;
  /** Default "required": the Pulumi program deploys what it plans. The offline plan passes "placeholder". */
  connectionVariables?: "required" | "placeholder";
}

/** The stack's plan from its Pulumi config; throws ConfigError on user mistakes. */
export function planFromPulumiConfig(input: ProgramInput): InfraPlan {
  return planStack({
    stack: input.stack,
    projectRoot: input.projectRoot,
    stackConfig: llmopsConfig(input.allConfig),
    stackConfigFile: `Pulumi.${input.stack}.yaml`,
    environmentVariables: input.environmentVariables,
    connectionVariables: input.connectionVariables ?? "required",
    ...(input.deploymentConfigPath !== undefined ? { deploymentConfigPath: input.deploymentConfigPath } : {}),
  });
}

/** The values of the deployments' secret variables (env.yaml secrets) as Pulumi secrets: never plain in state. */
export function secretValuesFor(plan: InfraPlan, environmentVariables: Record<string, string | undefined>): Record<string, pulumi.Output<string>> {
  const values: Record<string, pulumi.Output<string>> = {};
  for (const deployment of plan.endpoint?.deployments ?? []) {
    for (const variable of Object.values(deployment.secretEnvironmentVariables ?? {})) {
      // Unset only in an offline plan (`pulumi up` plans with "required" variables and stops earlier): shown as <VAR>.
      values[variable] = pulumi.secret(environmentVariables[variable] ?? `<${variable}>`);
    }
  }
  return values;
}

/** Declares the component tree of one stack and returns its outputs. */
export function declareLlmopsStack(
  plan: InfraPlan,
  options: {
    resourceOptions?: pulumi.ComponentResourceOptions;
    dockerfileRoot?: string;
    registryToken: RegistryTokenSource;
    /** False for the offline plan: no engine will run EndpointTraffic's provider, so its code is not serialised. */
    serialiseTrafficProvider?: boolean;
    /** The environment of `pulumi up`: env.yaml's secret variables are read from it as Pulumi secrets. */
    environmentVariables?: Record<string, string | undefined>;
  },
): DeclaredStackOutputs {
  for (const notice of plan.notices ?? []) void pulumi.log.warn(notice);
  const stack = new LlmopsStack(
    `llmops-${plan.stack}`,
    {
      plan,
      ...(options.dockerfileRoot !== undefined ? { dockerfileRoot: options.dockerfileRoot } : {}),
      registryToken: options.registryToken,
      ...(options.serialiseTrafficProvider !== undefined ? { serialiseTrafficProvider: options.serialiseTrafficProvider } : {}),
      secretValues: secretValuesFor(plan, options.environmentVariables ?? {}),
    },
    options.resourceOptions,
  );
  return stack.outputs;
}
