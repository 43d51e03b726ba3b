import type { AutoscalePlan } from "../plan/types";

/** Metric Azure ML publishes per managed online deployment. */
export const deploymentCpuMetric = {
  name: "CpuUtilizationPercentage",
  namespace: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
};

/**
 * One Azure Monitor profile: add an instance when average CPU over 5 minutes exceeds the target, remove one when
 * it falls below half the target (the gap keeps the two rules from flapping).
 */
export function cpuAutoscaleProfile(autoscale: AutoscalePlan, defaultInstances: number, deploymentId: string) {
  const trigger = (operator: "GreaterThan" | "LessThan", threshold: number) => ({
    metricName: deploymentCpuMetric.name,
    metricNamespace: deploymentCpuMetric.namespace,
    metricResourceUri: deploymentId,
    operator,
    statistic: "Average" as const,
    threshold,
    timeAggregation: "Average" as const,
    timeGrain: "PT1M",
    timeWindow: "PT5M",
  });
  const action = (direction: "Increase" | "Decrease") => ({
    cooldown: "PT5M",
    direction,
    type: "ChangeCount" as const,
    value: "1",
  });
  return {
    name: "cpu-utilization",
    capacity: {
      minimum: String(autoscale.minInstances),
      maximum: String(autoscale.maxInstances),
      default: String(defaultInstances),
    },
    rules: [
      { metricTrigger: trigger("GreaterThan", autoscale.targetUtilizationPercentage), scaleAction: action("Increase") },
      {
        metricTrigger: trigger("LessThan", Math.floor(autoscale.targetUtilizationPercentage / 2)),
        scaleAction: action("Decrease"),
      },
    ],
  };
}
