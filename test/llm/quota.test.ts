/**
 * Azure OpenAI quotas are the normal case: a deployment admits N requests per window and answers 429 with
 * Retry-After beyond. These tests shrink the window (a few requests per 150 ms instead of per minute) so they run in
 * seconds; the benchmark `npm run bench -- quota` measures goodput at full size in scaled time.
 */
import assert from "node:assert/strict";
import { createLlmInvoker } from "../../src/llm/invoker";
import type { LlmRequest } from "../../src/llm/types";
import type { RateLimits } from "../../src/azure/http/rateLimiter";
import { azureConnectionTo, startFakeOpenAiServer } from "../support/fakeOpenAiServer";

const key = "quota-key-8d2f";

async function callAll(calls: number, concurrency: number, limits: RateLimits | undefined, quota: { requests: number; windowMs: number }) {
  const server = await startFakeOpenAiServer({ apiKey: key, quota, logRequests: false });
  try {
    const connection = azureConnectionTo(server, key, limits);
    const invoker = createLlmInvoker();
    const request = (i: number): LlmRequest => ({ api: "chat", connection, model: "gpt-4o-mini", parameters: {}, messages: [{ role: "user", content: `ticket ${i}` }] });
    let next = 0;
    let failed = 0;
    const worker = async (): Promise<void> => {
      while (next < calls) {
        const i = next++;
        await invoker.invoke(request(i)).catch(() => failed++);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { failed, ...server.quotaCounts() };
  } finally {
    await server.close();
  }
}

describe("LLM calls under a quota (429 with Retry-After)", function () {
  this.timeout(60_000);

  it("finishes every call without a configured quota: a 429 slows the whole connection down", async () => {
    const result = await callAll(60, 32, undefined, { requests: 4, windowMs: 150 });
    assert.equal(result.failed, 0, JSON.stringify(result));
    assert.equal(result.admitted, 60);
    assert.ok(result.throttled <= 120, `at most two refusals per call on average, got ${result.throttled}`);
  });

  it("finishes every call when the configured quota's burst exceeds what a short window admits", async () => {
    // 4 per 150 ms is 1 600 a minute; its 10 s burst (266 requests) is far more than one window takes.
    const result = await callAll(60, 32, { requestsPerMinute: 1_600 }, { requests: 4, windowMs: 150 });
    assert.equal(result.failed, 0, JSON.stringify(result));
    assert.ok(result.throttled <= 120, `got ${result.throttled} refusals`);
  });
});
