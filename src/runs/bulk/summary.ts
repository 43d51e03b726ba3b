/** The numbers of summary.json, accumulated record by record in line order. Pure. */
import type { LineRecord, RunErrorGroup, RunSummary } from "./types";

/**
 * Percentile by linear interpolation between closest ranks (numpy's default), so p50 of [1, 2, 3, 4] is 2.5; 0 for an
 * empty list. The one definition the run summary and the evaluation reports share, so their figures agree.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

/** Distinct line errors kept in a summary: enough to see every kind of failure, bounded for a million bad lines. */
const maxDistinctErrors = 20;

export class SummaryAccumulator {
  completed = 0;
  failed = 0;
  private readonly usage = { prompt: 0, completion: 0, total: 0 };
  /** Completed lines' durations: 8 bytes a line, the one per-line cost of exact percentiles. */
  private readonly durations: number[] = [];
  private readonly errors = new Map<string, RunErrorGroup>();

  add(record: LineRecord): void {
    if (record.status === "Completed") {
      this.completed++;
      this.durations.push(record.duration_ms);
    } else {
      this.failed++;
      this.addError(record);
    }
    this.usage.prompt += record.usage?.prompt_tokens ?? 0;
    this.usage.completion += record.usage?.completion_tokens ?? 0;
    this.usage.total += record.usage?.total_tokens ?? 0;
  }

  private addError(record: LineRecord): void {
    const type = record.error?.type ?? "Error";
    const message = record.error?.message ?? "the line failed without an error message";
    const node = record.error?.node;
    const key = `${type}\u0000${node ?? ""}\u0000${message}`;
    const group = this.errors.get(key);
    if (group) group.count++;
    else if (this.errors.size < maxDistinctErrors) this.errors.set(key, { type, ...(node !== undefined ? { node } : {}), message, count: 1, first_line: record.line_number });
  }

  counts(): Pick<RunSummary, "completed" | "failed" | "usage" | "latency_ms" | "errors"> {
    const sorted = Float64Array.from(this.durations).sort();
    return {
      completed: this.completed,
      failed: this.failed,
      // Most frequent first; ties by the line where they first happened.
      errors: [...this.errors.values()].sort((a, b) => b.count - a.count || a.first_line - b.first_line),
      usage: { ...this.usage },
      latency_ms: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) },
    };
  }
}
