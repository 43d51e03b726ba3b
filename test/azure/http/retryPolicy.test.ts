import assert from "node:assert/strict";
import {
  armRetryPolicy,
  backoffDelayMs,
  defaultRetryPolicy,
  isRetryableStatus,
  resolveRetryPolicy,
  retryDelayMs,
  serverRetryDelayMs,
} from "../../../src/azure/http/retryPolicy";

describe("retry policy (LLM, scoring and ARM clients)", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");

  it("reads the server's wait: Azure's ms headers first, then Retry-After as seconds or an HTTP date", () => {
    assert.equal(serverRetryDelayMs(new Headers({ "retry-after-ms": "1250", "retry-after": "2" }), now), 1250);
    assert.equal(serverRetryDelayMs(new Headers({ "x-ms-retry-after-ms": "40" }), now), 40);
    assert.equal(serverRetryDelayMs(new Headers({ "retry-after": "7" }), now), 7_000);
    assert.equal(serverRetryDelayMs(new Headers({ "retry-after": "1.5" }), now), 1500);
    assert.equal(serverRetryDelayMs(new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:30 GMT" }), now), 30_000);
  });

  it("ignores unparseable or negative server delays", () => {
    assert.equal(serverRetryDelayMs(new Headers({ "retry-after": "soon" }), now), undefined);
    assert.equal(serverRetryDelayMs(new Headers({ "retry-after": "-3" }), now), undefined);
    assert.equal(serverRetryDelayMs(new Headers(), now), undefined);
  });

  it("lets the server's wait win over backoff, capped at maxDelayMs", () => {
    assert.equal(retryDelayMs(defaultRetryPolicy, 0, 3_000, () => 0.5), 3_000);
    assert.equal(retryDelayMs(defaultRetryPolicy, 0, 3_600_000, () => 0.5), defaultRetryPolicy.maxDelayMs);
  });

  it("backs off exponentially with equal jitter inside [step/2, step], never above the cap", () => {
    const policy = resolveRetryPolicy({ baseDelayMs: 1_000, maxDelayMs: 10_000 });
    assert.equal(backoffDelayMs(policy, 0, () => 0), 500);
    assert.equal(backoffDelayMs(policy, 0, () => 1), 1_000);
    assert.equal(backoffDelayMs(policy, 2, () => 0), 2_000);
    assert.equal(backoffDelayMs(policy, 50, () => 1), 10_000);
    assert.equal(retryDelayMs(policy, 1, undefined, () => 0), 1_000);
  });

  it("retries throttling, timeouts and transient server errors only, for every client", () => {
    for (const policy of [defaultRetryPolicy, armRetryPolicy]) {
      assert.deepEqual([408, 429, 500, 502, 503, 504].map((s) => isRetryableStatus(policy, s)), [true, true, true, true, true, true]);
      assert.deepEqual([400, 401, 403, 404, 409, 501].map((s) => isRetryableStatus(policy, s)), [false, false, false, false, false, false]);
    }
  });

  it("resolves options over a base policy and rejects a nonsensical attempt count", () => {
    assert.equal(resolveRetryPolicy({ maxAttempts: 2 }, armRetryPolicy).baseDelayMs, armRetryPolicy.baseDelayMs);
    assert.equal(resolveRetryPolicy({ maxAttempts: undefined }).maxAttempts, defaultRetryPolicy.maxAttempts);
    assert.throws(() => resolveRetryPolicy({ maxAttempts: 0 }), /maxAttempts/);
  });
});
