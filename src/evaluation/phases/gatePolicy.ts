/**
 * Which results decide the verdict. An evaluation measures more than it deploys: every flow variant before
 * deployment, the prior deployment of an A/B pair after it. Gates decide on what goes (or went) live: the
 * default variant (the one deployments serve) before deployment; the current deployment, the Web App and explicit
 * targets after it. Results on everything else are still computed and shown, marked as not gating
 * (passed + skipped, the reason says what they would have been), so a team sees that few_shot would fail the
 * accuracy gate without that failing the build.
 */
import { evaluateGates, regressionGates, type Gate, type GateResult, type MetricsEntry, type MetricsFile, type RegressionPolicy } from "..";

/** `result` computed without ": FAILED" in its reason (`statesFailure: false`): it says "(would fail)" instead. */
export function informational(result: GateResult, why: string): GateResult {
  const outcome = result.passed ? "" : " (would fail)";
  return {
    ...result,
    passed: true,
    skipped: true,
    reason: `not gating, ${why}: ${result.reason}${outcome}`,
  };
}

/**
 * Results of `compute` on the gating entries as they are, then on the other entries as information. A result
 * without an entry (a metric no gating entry has) fails only when computed on the gating entries.
 */
export function gateOnSubset(
  entries: readonly MetricsEntry[],
  gating: (entry: MetricsEntry) => boolean,
  why: (entry: MetricsEntry) => string,
  compute: (entries: MetricsEntry[], options: { statesFailure: boolean }) => GateResult[],
): GateResult[] {
  const deciding = compute(entries.filter(gating), { statesFailure: true });
  const others = entries.filter((entry) => !gating(entry));
  const byId = new Map(others.map((entry) => [entry.id, entry]));
  const shown = others.length === 0 ? [] : compute(others, { statesFailure: false }).flatMap((result) => {
    const entry = result.target_id === undefined ? undefined : byId.get(result.target_id);
    return entry === undefined ? [] : [informational(result, why(entry))];
  });
  return [...deciding, ...shown];
}

export function thresholdResults(gates: readonly Gate[], entries: readonly MetricsEntry[], gating: (entry: MetricsEntry) => boolean, why: (entry: MetricsEntry) => string): GateResult[] {
  if (gates.length === 0) return [];
  return gateOnSubset(entries, gating, why, (subset, options) => evaluateGates([...gates], subset, options));
}

/** Regression of `current` against a baseline of the same phase, matched by entry id. */
export function regressionResults(
  baseline: MetricsFile,
  current: Omit<MetricsFile, "targets" | "gates">,
  entries: readonly MetricsEntry[],
  policy: RegressionPolicy,
  gating: (entry: MetricsEntry) => boolean,
  why: (entry: MetricsEntry) => string,
): GateResult[] {
  return gateOnSubset(entries, gating, why, (subset, options) => regressionGates(baseline, { ...current, targets: subset, gates: [] }, policy, options));
}
