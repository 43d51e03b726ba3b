import assert from "node:assert/strict";
import { ManualClock } from "../../../src/core/clock";
import { RateLimiter } from "../../../src/azure/http/rateLimiter";

describe("RateLimiter", () => {
  it("allows a burst of burstSeconds of quota, then one request per 60/RPM seconds", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerMinute: 60, burstSeconds: 5 }, clock);
    const grantedAt: number[] = [];
    for (let i = 0; i < 8; i++) {
      await limiter.acquire(0);
      grantedAt.push(clock.now());
    }
    assert.deepEqual(grantedAt, [0, 0, 0, 0, 0, 1000, 2000, 3000]);
  });

  it("charges the token estimate up front and waits for tokens per minute", async () => {
    const clock = new ManualClock();
    // 6000 TPM = 100 tokens/s; a 10 s burst holds 1000 tokens.
    const limiter = new RateLimiter({ tokensPerMinute: 6000 }, clock);
    await limiter.acquire(1000);
    assert.equal(clock.now(), 0);
    await limiter.acquire(500);
    assert.equal(clock.now(), 5000);
  });

  it("gives back tokens when the real usage is below the estimate", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ tokensPerMinute: 6000 }, clock);
    const reservation = await limiter.acquire(1000);
    reservation.settle(200);
    await limiter.acquire(800);
    assert.equal(clock.now(), 0, "800 returned tokens were available at once");
  });

  it("delays later callers when the real usage exceeds the estimate", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ tokensPerMinute: 6000 }, clock);
    const reservation = await limiter.acquire(100);
    reservation.settle(1100); // 1000 more than estimated: bucket at -100
    await limiter.acquire(100);
    assert.equal(clock.now(), 2000);
  });

  it("serves waiters in arrival order: a large request is not starved by small ones", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ tokensPerMinute: 600 }, clock); // 10 tokens/s, 100-token bucket
    await limiter.acquire(100);
    const order: string[] = [];
    await Promise.all([
      limiter.acquire(100).then(() => order.push("big")),
      limiter.acquire(1).then(() => order.push("small-1")),
      limiter.acquire(1).then(() => order.push("small-2")),
    ]);
    assert.deepEqual(order, ["big", "small-1", "small-2"]);
  });

  it("applies both RPM and TPM: the stricter one decides", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerMinute: 6, tokensPerMinute: 600_000, burstSeconds: 10 }, clock);
    await limiter.acquire(10);
    await limiter.acquire(10);
    assert.equal(clock.now(), 10_000);
  });

  it("a request larger than the bucket waits for a full bucket instead of forever", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ tokensPerMinute: 600 }, clock);
    await limiter.acquire(5000);
    await limiter.acquire(5000);
    assert.equal(clock.now(), 10_000);
  });

  it("removes an aborted waiter from the queue", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerMinute: 1, burstSeconds: 60 }, clock);
    await limiter.acquire(0);
    const controller = new AbortController();
    controller.abort(new Error("cancelled"));
    await assert.rejects(limiter.acquire(0, controller.signal), /cancelled/);
    assert.equal(limiter.waiting, 0);
  });

  it("refuses non-positive limits", () => {
    assert.throws(() => new RateLimiter({ requestsPerMinute: 0 }), /requestsPerMinute/);
  });
});

describe("RateLimiter: what a 429 teaches the whole connection", () => {
  it("pauses every waiting request for the Retry-After of one refused attempt", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({}, clock);
    const first = await limiter.acquire(0);
    const second = await limiter.acquire(0);
    first.settle(0, 5_000);
    second.settle(0);
    await limiter.acquire(0);
    assert.equal(clock.now(), 5_000, "a request that was not refused waited too");
  });

  it("halves the attempts in flight once per episode and adds about one per round of successes", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({}, clock);
    const inFlight = await Promise.all(Array.from({ length: 8 }, () => limiter.acquire(0)));
    inFlight[0].settle(0, 100);
    assert.equal(limiter.concurrencyLimit, 4);
    inFlight[1].settle(0, 100);
    assert.equal(limiter.concurrencyLimit, 4, "sent before the decrease: the same episode");
    // 1/limit per success: six successes at about 4, then four at about 5, is two rounds.
    for (const reservation of inFlight.slice(2)) reservation.settle(0);
    assert.equal(limiter.concurrencyLimit, 5);
    const next = await Promise.all(Array.from({ length: 5 }, () => limiter.acquire(0)));
    for (const reservation of next) reservation.settle(0);
    assert.equal(limiter.concurrencyLimit, 6);
  });

  it("holds attempts beyond the concurrency limit until one ends", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({}, clock);
    const inFlight = await Promise.all(Array.from({ length: 4 }, () => limiter.acquire(0)));
    inFlight[0].settle(0, 0); // limit 4 / 2 = 2, three still in flight
    let granted = false;
    const waiting = limiter.acquire(0).then((reservation) => {
      granted = true;
      return reservation;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(granted, false);
    inFlight[1].settle(0);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(granted, false, "two in flight, limit 2");
    inFlight[2].settle(0);
    (await waiting).settle(0);
    assert.equal(granted, true);
  });

  it("serves a retried request before requests that arrived after it", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({}, clock);
    const refused = await limiter.acquire(0);
    refused.settle(0, 1_000);
    const order: string[] = [];
    const granted = (name: string) => (reservation: { settle(tokens: number): void }) => {
      order.push(name);
      reservation.settle(0);
    };
    await Promise.all([limiter.acquire(0).then(granted("newer")), limiter.acquire(0, undefined, refused.ticket).then(granted("retry"))]);
    assert.deepEqual(order, ["retry", "newer"]);
  });

  it("keeps a configured quota as a ceiling: a 429 drains the burst the bucket still holds", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerMinute: 60, burstSeconds: 10 }, clock);
    (await limiter.acquire(0)).settle(0, 0);
    await limiter.acquire(0);
    assert.equal(clock.now(), 1_000, "the next request waits for a refilled token, not for the old burst");
  });
});
