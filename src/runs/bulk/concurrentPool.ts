/**
 * Runs `worker` over an async iterable with at most `concurrency` items in flight. Each slot pulls the next
 * item only when it is free, so the source is read no further ahead than the slots: that is the backpressure
 * that keeps a bulk run's memory independent of the dataset's size.
 */
export async function forEachConcurrent<T>(
  source: AsyncIterable<T>,
  concurrency: number,
  worker: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
  const iterator = source[Symbol.asyncIterator]();
  let failed = false;
  const slot = async (): Promise<void> => {
    while (!failed && !signal?.aborted) {
      // Async generators queue concurrent next() calls, so slots never receive the same item.
      const next = await iterator.next();
      if (next.done) return;
      try {
        await worker(next.value);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  // allSettled, not all: on a failure the other slots finish their current item before the source is closed.
  const results = await Promise.allSettled(Array.from({ length: concurrency }, slot));
  await iterator.return?.(undefined);
  const rejected = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (rejected) throw rejected.reason;
}
