/**
 * Time as a dependency: retries, rate limits and progress read the time and wait through a Clock so tests can
 * run hours of backoff in microseconds with a fake one.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  // Written so Pulumi's closure serialiser can copy it (the EndpointTraffic provider runs the ARM client from a
  // serialised copy): the timer is declared before the abort handler that clears it.
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const pending: { timer?: ReturnType<typeof setTimeout> } = {};
      const onAbort = (): void => {
        clearTimeout(pending.timer);
        reject(signal?.reason);
      };
      pending.timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

/** A clock whose sleep advances its own time instantly: deterministic tests of waits. Records every sleep. */
export class ManualClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private current = 0) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.current += Math.max(0, ms);
    // Yield so other waiters observe the new time in a realistic order.
    await Promise.resolve();
  }
}
