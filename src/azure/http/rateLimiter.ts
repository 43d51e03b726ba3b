/**
 * Client-side rate limiting for a quota expressed per minute (Azure OpenAI deployments: requests per minute and
 * tokens per minute). Two token buckets; a call reserves one request and an estimate of its tokens before it is
 * sent and settles the difference from the usage the server reports. Waiters are served first come, first
 * served, so a large request is never starved by a stream of small ones.
 */
import { systemClock, type Clock } from "../../core/clock";

export interface RateLimits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /**
   * Burst allowance in seconds of quota (default 10). Azure enforces quotas over short windows, so sending a whole
   * minute's quota at once earns 429s; a bucket holding 10 s of quota smooths the start.
   */
  burstSeconds?: number;
}

export interface RateReservation {
  /** Corrects the token bucket with the tokens the call really used (from the response's usage). */
  settle(actualTokens: number): void;
}

class TokenBucket {
  private level: number;
  private readonly perMs: number;
  readonly capacity: number;
  private last: number;

  constructor(perMinute: number, burstSeconds: number, now: number) {
    this.perMs = perMinute / 60_000;
    this.capacity = Math.max(1, (perMinute * burstSeconds) / 60);
    this.level = this.capacity;
    this.last = now;
  }

  refill(now: number): void {
    if (now > this.last) {
      this.level = Math.min(this.capacity, this.level + (now - this.last) * this.perMs);
      this.last = now;
    }
  }

  /** A request bigger than the bucket waits for a full bucket rather than forever. */
  private clamp(cost: number): number {
    return Math.min(cost, this.capacity);
  }

  waitMs(cost: number): number {
    const missing = this.clamp(cost) - this.level;
    return missing <= 0 ? 0 : Math.ceil(missing / this.perMs);
  }

  take(cost: number): void {
    this.level -= this.clamp(cost);
  }

  /** Positive gives tokens back; negative records debt the next callers wait for. */
  adjust(delta: number): void {
    this.level = Math.min(this.capacity, this.level + delta);
  }
}

interface Waiter {
  tokens: number;
  resolve: (reservation: RateReservation) => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class RateLimiter {
  private readonly requests?: TokenBucket;
  private readonly tokens?: TokenBucket;
  private readonly queue: Waiter[] = [];
  private pumping = false;

  constructor(limits: RateLimits, private readonly clock: Clock = systemClock) {
    const burst = limits.burstSeconds ?? 10;
    for (const [name, value] of [["requestsPerMinute", limits.requestsPerMinute], ["tokensPerMinute", limits.tokensPerMinute]] as const) {
      if (value !== undefined && !(value > 0)) throw new RangeError(`${name} must be > 0, got ${value}`);
    }
    if (!(burst > 0)) throw new RangeError(`burstSeconds must be > 0, got ${burst}`);
    const now = clock.now();
    if (limits.requestsPerMinute) this.requests = new TokenBucket(limits.requestsPerMinute, burst, now);
    if (limits.tokensPerMinute) this.tokens = new TokenBucket(limits.tokensPerMinute, burst, now);
  }

  /** Waits until one request and `estimatedTokens` tokens fit the quotas, in arrival order. */
  acquire(estimatedTokens: number, signal?: AbortSignal): Promise<RateReservation> {
    return new Promise<RateReservation>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const waiter: Waiter = { tokens: Math.max(0, estimatedTokens), resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.queue.indexOf(waiter);
          if (index >= 0) {
            this.queue.splice(index, 1);
            reject(signal.reason);
          }
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      void this.pump();
    });
  }

  get waiting(): number {
    return this.queue.length;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0];
        const now = this.clock.now();
        this.requests?.refill(now);
        this.tokens?.refill(now);
        const wait = Math.max(this.requests?.waitMs(1) ?? 0, this.tokens?.waitMs(head.tokens) ?? 0);
        if (wait > 0) {
          await this.clock.sleep(wait);
          continue;
        }
        this.queue.shift();
        if (head.signal && head.onAbort) head.signal.removeEventListener("abort", head.onAbort);
        this.requests?.take(1);
        this.tokens?.take(head.tokens);
        head.resolve(this.reservation(head.tokens));
      }
    } finally {
      this.pumping = false;
    }
  }

  private reservation(estimated: number): RateReservation {
    let settled = false;
    return {
      settle: (actual: number) => {
        if (settled || !this.tokens || !Number.isFinite(actual)) return;
        settled = true;
        this.tokens.adjust(estimated - actual);
      },
    };
  }
}
