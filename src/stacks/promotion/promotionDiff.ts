import { compareArtifacts } from "./artifactRefs";
import { diffDeploymentConfig, diffStackConfig } from "./configDiff";
import { environmentRenames } from "./environmentNames";
import { diffResources } from "../planDiff";
import { compareTraffic } from "./trafficTable";
import type { PromotionDiff, StackConfigSource, StackPlanSnapshot } from "./types";

/** Everything that differs between promoting from one stack to another: pure, no I/O. */
export function buildPromotionDiff(
  plans: { from: StackPlanSnapshot; to: StackPlanSnapshot },
  configs: { from: StackConfigSource; to: StackConfigSource },
): PromotionDiff {
  const stackConfig = diffStackConfig(configs.from.config, configs.to.config);
  const deploymentConfig = diffDeploymentConfig(configs.from, configs.to);
  return {
    from: plans.from.stack,
    to: plans.to.stack,
    renames: environmentRenames({
      stacks: { from: plans.from.stack, to: plans.to.stack },
      environments: { from: configs.from.environment, to: configs.to.environment },
      stackConfig,
      deploymentConfig,
    }),
    resources: diffResources(plans.from.resources, plans.to.resources),
    traffic: compareTraffic(plans.from, plans.to),
    artifacts: compareArtifacts(plans.from, plans.to),
    stackConfig,
    deploymentConfig,
  };
}

/** True when promoting would declare exactly what the source stack declares (names and inputs alike). */
export function isIdentical(diff: PromotionDiff): boolean {
  const { added, removed, changed } = diff.resources;
  return added.length === 0 && removed.length === 0 && changed.length === 0;
}
