/**
 * Deployed vs pre-deployment: each evaluated target that serves this build against the pre-deployment run of the
 * variant it serves (same dataset and evaluator), with the experiment's regression policy as the tolerance. Only
 * a drop beyond it fails (direction-aware, absolute or relative, as for the baseline regression): a deployment
 * scoring as well as or better than what was tested passes. Operational metrics are left out: local and
 * deployed latencies measure different things. Reuses the core's regression check by giving each deployed entry
 * its pre-deployment counterpart as "baseline" under the deployed entry's id, worded as pre-deployment.
 */
import {
  baselineComparison,
  regressionGates,
  runMetricsEvaluatorName,
  type ComparisonTable,
  type GateResult,
  type MetricsEntry,
  type MetricsFile,
  type RegressionPolicy,
} from "..";

export interface DeployedVsPre {
  gates: GateResult[];
  tables: ComparisonTable[];
}

const preKey = (entry: Pick<MetricsEntry, "dataset" | "evaluator" | "variant">): string => `${entry.dataset}/${entry.evaluator}@${entry.variant}`;

export function deployedVsPre(pre: MetricsFile, current: MetricsFile, compared: readonly MetricsEntry[], policy: RegressionPolicy | undefined): DeployedVsPre {
  const preEntries = new Map(pre.targets.filter((entry) => entry.target.kind === "flow" && entry.evaluator !== runMetricsEvaluatorName).map((entry) => [preKey(entry), entry]));
  const pairs = compared
    .filter((entry) => entry.evaluator !== runMetricsEvaluatorName)
    .flatMap((entry) => {
      const before = preEntries.get(preKey(entry));
      return before === undefined ? [] : [{ deployed: entry, before: { ...before, id: entry.id, label: entry.label } }];
    });
  const variants = [...new Set(compared.map((entry) => entry.variant))].join(", ");
  if (pairs.length === 0) {
    const gate: GateResult = {
      gate: "deployed vs pre-deployment",
      kind: "deployed_vs_pre",
      metric: "*",
      passed: policy === undefined,
      ...(policy === undefined ? { skipped: true } : {}),
      reason: `${policy === undefined ? "" : "FAILED: "}the pre-deployment run ${pre.run_id} has no results for variant ${variants || "(none evaluated)"} on the evaluated datasets; run llmops evaluate --phase pre with that variant`,
    };
    return { gates: [gate], tables: [] };
  }
  const baseline: MetricsFile = { ...pre, targets: pairs.map((pair) => pair.before) };
  const deployed: MetricsFile = { ...current, targets: pairs.map((pair) => pair.deployed), gates: [] };
  const tables = baselineComparison(baseline, deployed, {
    title: (label) => `Deployed vs pre-deployment: ${label}`,
    leftLabel: `pre-deployment (${pre.run_id})`,
    rightLabel: "deployed",
  });
  if (policy === undefined) return { gates: [], tables };
  const gates = regressionGates(baseline, deployed, policy, {
    wording: { kind: "deployed_vs_pre", gatePrefix: "deployed vs pre-deployment", baselineName: "pre-deployment" },
  });
  return { gates, tables };
}
