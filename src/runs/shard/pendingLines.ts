/**
 * Which dataset lines a job attempt runs and how they are cut into mini-batches. An attempt runs the lines that
 * have no Completed record yet, kept as sorted half-open ranges [start, end) so a resume of a million-line run with
 * a few holes stays a few bytes. Mini-batch k holds the k-th `miniBatchSize` pending lines and goes to instance
 * k mod instances: round-robin spreads slow regions of the data over every instance. Pure.
 */

export type LineRange = readonly [start: number, end: number];

export class PendingLines {
  readonly ranges: readonly LineRange[];
  /** Pending lines before each range. */
  private readonly before: number[];
  readonly count: number;

  constructor(ranges: readonly LineRange[]) {
    this.ranges = ranges;
    this.before = [];
    let count = 0;
    let previousEnd = -1;
    for (const [start, end] of ranges) {
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start || start < previousEnd) {
        throw new RangeError(`pending line ranges must be sorted, disjoint [start, end) pairs; found [${start}, ${end})`);
      }
      this.before.push(count);
      count += end - start;
      previousEnd = end;
    }
    this.count = count;
  }

  /** Lines 0..total-1 minus `done`, as ranges. */
  static allExcept(total: number, done: { has(lineNumber: number): boolean }): PendingLines {
    const ranges: [number, number][] = [];
    for (let line = 0; line < total; line++) {
      if (done.has(line)) continue;
      const last = ranges[ranges.length - 1];
      if (last && last[1] === line) last[1] = line + 1;
      else ranges.push([line, line + 1]);
    }
    return new PendingLines(ranges);
  }

  /** Index of `lineNumber` among the pending lines; -1 when it is not pending. */
  positionOf(lineNumber: number): number {
    let low = 0;
    let high = this.ranges.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const [start, end] = this.ranges[middle];
      if (lineNumber < start) high = middle - 1;
      else if (lineNumber >= end) low = middle + 1;
      else return this.before[middle] + (lineNumber - start);
    }
    return -1;
  }
}

export interface MiniBatching {
  pending: PendingLines;
  miniBatchSize: number;
  instances: number;
}

export function miniBatchCount(batching: MiniBatching): number {
  return Math.ceil(batching.pending.count / batching.miniBatchSize);
}

/** Mini-batch of a pending line, or -1 when the line is not pending. */
export function miniBatchOf(batching: MiniBatching, lineNumber: number): number {
  const position = batching.pending.positionOf(lineNumber);
  return position < 0 ? -1 : Math.floor(position / batching.miniBatchSize);
}

export function miniBatchSizeOf(batching: MiniBatching, batch: number): number {
  return Math.min(batching.miniBatchSize, batching.pending.count - batch * batching.miniBatchSize);
}

export function instanceOfMiniBatch(batching: MiniBatching, batch: number): number {
  return batch % batching.instances;
}

/** `batch-000042.jsonl`: the records of one finished mini-batch, written whole or not at all. */
export function miniBatchFileName(batch: number): string {
  return `batch-${String(batch).padStart(6, "0")}.jsonl`;
}

export function miniBatchOfFileName(name: string): number | undefined {
  const match = /^batch-([0-9]{6,})\.jsonl$/.exec(name);
  return match ? Number(match[1]) : undefined;
}
