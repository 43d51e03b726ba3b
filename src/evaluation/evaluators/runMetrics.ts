/**
 * Operational metrics of a run, computed from the lines themselves rather than from mapped fields: error rate,
 * latency percentiles and token usage. They are reported under the evaluator name "run".
 */
import { percentile } from "../../runs/bulk/summary";
import type { RunLine } from "../types";

export { percentile };

export const runMetricsEvaluatorName = "run";

/**
 * `lines`, `failed`, `error_rate` (failed / lines), `p50|p90|p95|p99_latency_ms` and `mean_latency_ms` over lines
 * with a duration (failed lines count: a timeout is latency the user saw), and `prompt|completion|total_tokens`
 * sums plus `mean_total_tokens` per line. Latency metrics are absent when no line has a duration.
 */
export function runMetrics(lines: RunLine[]): Record<string, number> {
  const failed = lines.filter((line) => line.status === "Failed").length;
  const metrics: Record<string, number> = {
    lines: lines.length,
    failed,
    error_rate: lines.length === 0 ? 0 : failed / lines.length,
  };
  const durations = lines
    .map((line) => line.durationMs)
    .filter((value): value is number => typeof value === "number" && Number.isFinite(value))
    .sort((a, b) => a - b);
  if (durations.length > 0) {
    for (const p of [50, 90, 95, 99]) metrics[`p${p}_latency_ms`] = percentile(durations, p);
    metrics.mean_latency_ms = durations.reduce((sum, value) => sum + value, 0) / durations.length;
  }
  let prompt = 0;
  let completion = 0;
  let total = 0;
  for (const line of lines) {
    prompt += line.usage?.promptTokens ?? 0;
    completion += line.usage?.completionTokens ?? 0;
    total += line.usage?.totalTokens ?? 0;
  }
  metrics.prompt_tokens = prompt;
  metrics.completion_tokens = completion;
  metrics.total_tokens = total;
  metrics.mean_total_tokens = lines.length === 0 ? 0 : total / lines.length;
  return metrics;
}
