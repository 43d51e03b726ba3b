/**
 * How fast one connection (an Azure OpenAI deployment, an OpenAI model) is called. Every attempt, retries
 * included, takes a slot here first. Three controls:
 *  - the server's word: a 429 pauses the whole connection for the Retry-After it carries, so every request in
 *    flight or waiting honours it, not only the one that was refused;
 *  - AIMD concurrency: a 429 halves the attempts allowed in flight (once per congestion episode), each success
 *    adds 1/limit (about one more per round trip), so a user who does not know the quota still converges on it;
 *  - a configured quota (requests and tokens per minute) as two token buckets: a ceiling, never the only defence.
 *    A call reserves one request and an estimate of its tokens and settles the difference from the usage the
 *    server reports.
 * Waiters are served in the order their request first arrived, so a retried request goes before newer ones and a
 * large request is never starved by a stream of small ones.
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
  /** Pass back to `acquire` when retrying the same request: it keeps its place in the queue. */
  readonly ticket: number;
  /**
   * The attempt ended: frees its slot and corrects the token bucket with the tokens it really used. With
   * `throttledForMs` the server refused it (429): the connection pauses that long and sends fewer at once.
   */
  settle(actualTokens: number, throttledForMs?: number): void;
}

/** The most attempts in flight on one connection before any 429 taught us less. */
const maxConcurrency = 1024;

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

  /** The server says the quota is used up: whatever burst the bucket still holds is not really there. */
  drain(): void {
    this.level = Math.min(this.level, 0);
  }
}

interface Waiter {
  ticket: number;
  tokens: number;
  resolve: (reservation: RateReservation) => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class RateLimiter {
  private readonly requests?: TokenBucket;
  private readonly tokens?: TokenBucket;
  /** Sorted by ticket: the order requests first arrived. */
  private readonly queue: Waiter[] = [];
  private pumping = false;
  /** Aborts the pump's current sleep when something it waits for changed (a new pause, an emptied queue). */
  private wake: AbortController | undefined;
  private nextTicket = 0;
  private grants = 0;
  private inFlight = 0;
  private limit = maxConcurrency;
  /** Grants before this number were sent before the last decrease: their 429s belong to the same episode. */
  private decreasedAtGrant = -1;
  private pausedUntil = 0;

  constructor(limits: RateLimits = {}, private readonly clock: Clock = systemClock) {
    const burst = limits.burstSeconds ?? 10;
    for (const [name, value] of [["requestsPerMinute", limits.requestsPerMinute], ["tokensPerMinute", limits.tokensPerMinute]] as const) {
      if (value !== undefined && !(value > 0)) throw new RangeError(`${name} must be > 0, got ${value}`);
    }
    if (!(burst > 0)) throw new RangeError(`burstSeconds must be > 0, got ${burst}`);
    const now = clock.now();
    if (limits.requestsPerMinute) this.requests = new TokenBucket(limits.requestsPerMinute, burst, now);
    if (limits.tokensPerMinute) this.tokens = new TokenBucket(limits.tokensPerMinute, burst, now);
  }

  /**
   * Waits until the connection is not paused, an attempt slot is free and one request plus `estimatedTokens`
   * fit the quotas. `ticket` (from an earlier reservation of the same request) keeps a retry's place.
   */
  acquire(estimatedTokens: number, signal?: AbortSignal, ticket?: number): Promise<RateReservation> {
    return new Promise<RateReservation>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const waiter: Waiter = { ticket: ticket ?? this.nextTicket++, tokens: Math.max(0, estimatedTokens), resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.queue.indexOf(waiter);
          if (index >= 0) {
            this.queue.splice(index, 1);
            reject(signal.reason);
            if (this.queue.length === 0) this.wake?.abort();
          }
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      let index = this.queue.length;
      while (index > 0 && this.queue[index - 1].ticket > waiter.ticket) index--;
      this.queue.splice(index, 0, waiter);
      void this.pump();
    });
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Attempts allowed in flight at once right now (AIMD). */
  get concurrencyLimit(): number {
    return Math.floor(this.limit);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && this.inFlight < Math.floor(this.limit)) {
        const head = this.queue[0];
        const now = this.clock.now();
        this.requests?.refill(now);
        this.tokens?.refill(now);
        const wait = Math.max(this.pausedUntil - now, this.requests?.waitMs(1) ?? 0, this.tokens?.waitMs(head.tokens) ?? 0);
        if (wait > 0) {
          await this.sleep(wait);
          continue;
        }
        this.queue.shift();
        if (head.signal && head.onAbort) head.signal.removeEventListener("abort", head.onAbort);
        this.requests?.take(1);
        this.tokens?.take(head.tokens);
        this.inFlight++;
        head.resolve(this.reservation(head.ticket, head.tokens, this.grants++));
      }
    } finally {
      this.pumping = false;
    }
  }

  private async sleep(ms: number): Promise<void> {
    const wake = new AbortController();
    this.wake = wake;
    try {
      await this.clock.sleep(ms, wake.signal);
    } catch {
      // Woken early: the loop looks again.
    } finally {
      if (this.wake === wake) this.wake = undefined;
    }
  }

  private reservation(ticket: number, estimated: number, grant: number): RateReservation {
    let settled = false;
    return {
      ticket,
      settle: (actual: number, throttledForMs?: number) => {
        if (settled) return;
        settled = true;
        this.inFlight--;
        if (this.tokens && Number.isFinite(actual)) this.tokens.adjust(estimated - actual);
        if (throttledForMs === undefined) {
          this.limit = Math.min(maxConcurrency, this.limit + 1 / this.limit);
        } else {
          this.throttled(grant, throttledForMs);
        }
        void this.pump();
      },
    };
  }

  private throttled(grant: number, pauseMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + Math.max(0, pauseMs));
    this.requests?.drain();
    this.tokens?.drain();
    if (grant >= this.decreasedAtGrant) {
      // One decrease per episode: the other attempts sent at the same time were refused for the same reason.
      this.limit = Math.max(1, Math.min(this.limit, this.inFlight + 1) / 2);
      this.decreasedAtGrant = this.grants;
    }
    this.wake?.abort();
  }
}
