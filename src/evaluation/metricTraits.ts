/**
 * What a change of a metric means: its direction (higher better, lower better, or neutral for counts such as
 * `lines` or `scored_lines`, which measure the dataset, not the flow) and its noise, the difference too small to
 * call better or worse (a latency 1 ms apart is the same latency). The one registry comparisons, regression gates
 * and charts read.
 */

export type MetricDirection = "higher" | "lower" | "neutral";

export interface MetricTraits {
  direction: MetricDirection;
  /** Largest |current - previous| that is still "the same", given the previous value. */
  noise(previous: number): number;
}

const exact = (): number => 1e-9;

const rules: { pattern: RegExp; traits: MetricTraits }[] = [
  // Sizes of the dataset and of the evaluation, not qualities of the flow.
  { pattern: /^(lines|lines_scored|scored_lines|rows|total)$/, traits: { direction: "neutral", noise: exact } },
  // Wall-clock figures jitter by milliseconds from run to run: 5 ms or 5 %, whichever is larger.
  { pattern: /_latency_ms$/, traits: { direction: "lower", noise: (previous) => Math.max(5, Math.abs(previous) * 0.05) } },
  // Token counts move with sampling: one token or 2 %.
  { pattern: /_tokens$/, traits: { direction: "lower", noise: (previous) => Math.max(1, Math.abs(previous) * 0.02) } },
  { pattern: /^(error_rate|failed|error_lines)$|_error_rate$/, traits: { direction: "lower", noise: exact } },
];

const higherIsBetter: MetricTraits = { direction: "higher", noise: exact };

/** Traits of `metric`; `extraLowerIsBetter` names more metrics the user declares lower-is-better. */
export function metricTraits(metric: string, extraLowerIsBetter: readonly string[] = []): MetricTraits {
  if (extraLowerIsBetter.includes(metric)) return { direction: "lower", noise: exact };
  return rules.find((rule) => rule.pattern.test(metric))?.traits ?? higherIsBetter;
}
