import assert from "node:assert/strict";
import { backoffDelayMs, resolveRetryOptions, serverRetryDelayMs } from "../../../src/azure/http/retryPolicy";

describe("retry policy", () => {
  it("caps full-jitter backoff at maxDelayMs", () => {
    const options = resolveRetryOptions({ baseDelayMs: 1000, maxDelayMs: 5000 });
    assert.equal(backoffDelayMs(1, options, () => 0.999), 999);
    assert.equal(backoffDelayMs(10, options, () => 0.999), 4995);
    assert.equal(backoffDelayMs(3, options, () => 0), 0);
  });

  it("ignores unparseable or negative server delays", () => {
    assert.equal(serverRetryDelayMs(new Headers({ "retry-after": "soon" }), 0), undefined);
    assert.equal(serverRetryDelayMs(new Headers({ "retry-after": "-3" }), 0), undefined);
    assert.equal(serverRetryDelayMs(new Headers({ "retry-after": "1.5" }), 0), 1500);
    assert.equal(serverRetryDelayMs(new Headers(), 0), undefined);
  });

  it("rejects a nonsensical attempt count", () => {
    assert.throws(() => resolveRetryOptions({ maxAttempts: 0 }), /maxAttempts/);
  });
});
