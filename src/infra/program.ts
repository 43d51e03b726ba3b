import * as pulumi from "@pulumi/pulumi";
import { llmopsConfig } from "../config/stackConfigFile";
import { buildInfraPlan } from "../plan/buildInfraPlan";
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
  return buildInfraPlan({
    stack: input.stack,
    projectRoot: input.projectRoot,
    stackConfig: llmopsConfig(input.allConfig),
    stackConfigFile: `Pulumi.${input.stack}.yaml`,
    environmentVariables: input.environmentVariables,
    connectionVariables: input.connectionVariables ?? "required",
    ...(input.deploymentConfigPath !== undefined ? { deploymentConfigPath: input.deploymentConfigPath } : {}),
  });
}

/** Declares the component tree of one stack and returns its outputs. */
export function declareLlmopsStack(
  plan: InfraPlan,
  options: { resourceOptions?: pulumi.ComponentResourceOptions; dockerfileRoot?: string; registryToken?: RegistryTokenSource } = {},
): DeclaredStackOutputs {
  for (const notice of plan.notices ?? []) pulumi.log.warn(notice);
  const stack = new LlmopsStack(
    `llmops-${plan.stack}`,
    {
      plan,
      ...(options.dockerfileRoot !== undefined ? { dockerfileRoot: options.dockerfileRoot } : {}),
      ...(options.registryToken !== undefined ? { registryToken: options.registryToken } : {}),
    },
    options.resourceOptions,
  );
  return stack.outputs;
}
