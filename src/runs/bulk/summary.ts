/** The numbers of summary.json, accumulated record by record in line order. Pure. */
import type { LineRecord, RunSummary } from "./types";

/**
 * Percentile by linear interpolation between closest ranks (numpy's default), so p50 of [1, 2, 3, 4] is 2.5; 0 for an
 * empty list. The one definition the run summary and the evaluation reports share, so their figures agree.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export class SummaryAccumulator {
  completed = 0;
  failed = 0;
  private readonly usage = { prompt: 0, completion: 0, total: 0 };
  /** Completed lines' durations: 8 bytes a line, the one per-line cost of exact percentiles. */
  private readonly durations: number[] = [];

  add(record: LineRecord): void {
    if (record.status === "Completed") {
      this.completed++;
      this.durations.push(record.duration_ms);
    } else {
      this.failed++;
    }
    this.usage.prompt += record.usage?.prompt_tokens ?? 0;
    this.usage.completion += record.usage?.completion_tokens ?? 0;
    this.usage.total += record.usage?.total_tokens ?? 0;
  }

  counts(): Pick<RunSummary, "completed" | "failed" | "usage" | "latency_ms"> {
    const sorted = Float64Array.from(this.durations).sort();
    return {
      completed: this.completed,
      failed: this.failed,
      usage: { ...this.usage },
      latency_ms: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) },
    };
  }
}
