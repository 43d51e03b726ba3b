import assert from "node:assert/strict";
import {
  defaultRetryPolicy,
  isOperationInProgressConflict,
  isRetryableStatus,
  parseRetryAfterMs,
  retryDelayMs,
} from "../../../src/azure/arm/retryPolicy";

describe("ARM retry policy", () => {
  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    assert.equal(parseRetryAfterMs("7", now), 7_000);
    assert.equal(parseRetryAfterMs("Thu, 01 Jan 2026 00:00:30 GMT", now), 30_000);
    assert.equal(parseRetryAfterMs("soon", now), undefined);
    assert.equal(parseRetryAfterMs(null, now), undefined);
  });

  it("lets Retry-After win over backoff, capped at maxDelayMs", () => {
    assert.equal(retryDelayMs(defaultRetryPolicy, 0, 3_000, () => 0.5), 3_000);
    assert.equal(retryDelayMs(defaultRetryPolicy, 0, 3_600_000, () => 0.5), defaultRetryPolicy.maxDelayMs);
  });

  it("backs off exponentially with jitter inside [step/2, step], never above the cap", () => {
    const policy = { ...defaultRetryPolicy, baseDelayMs: 1_000, maxDelayMs: 10_000 };
    assert.equal(retryDelayMs(policy, 0, undefined, () => 0), 500);
    assert.equal(retryDelayMs(policy, 0, undefined, () => 1), 1_000);
    assert.equal(retryDelayMs(policy, 2, undefined, () => 0), 2_000);
    assert.equal(retryDelayMs(policy, 50, undefined, () => 1), 10_000);
  });

  it("retries throttling and server errors only", () => {
    assert.deepEqual([429, 500, 503, 408].map(isRetryableStatus), [true, true, true, true]);
    assert.deepEqual([400, 401, 403, 404, 409, 501].map(isRetryableStatus), [false, false, false, false, false, false]);
  });

  it("tells an in-progress 409 from a real conflict", () => {
    assert.equal(isOperationInProgressConflict("AnotherOperationInProgress", ""), true);
    assert.equal(isOperationInProgressConflict("Conflict", "Another operation is in progress on this endpoint."), true);
    assert.equal(isOperationInProgressConflict("UserError", "Endpoint x is currently being updated"), true);
    assert.equal(isOperationInProgressConflict("RoleAssignmentExists", "The role assignment already exists."), false);
  });
});
