import assert from "node:assert/strict";
import { ManualClock } from "../../../src/core/clock";
import { fetchJson } from "../../../src/azure/http/fetchJson";
import { HttpError } from "../../../src/azure/http/httpError";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../../support/fakeOpenAiServer";

const secret = "sk-test-SECRET-123";

describe("fetchJson", () => {
  let server: FakeOpenAiServer;
  let url: string;
  before(async () => {
    server = await startFakeOpenAiServer({ apiKey: secret });
    url = `${server.openAiBaseUrl}/chat/completions`;
  });
  after(() => server.close());

  const chat = { model: "m", messages: [{ role: "user", content: "hello there" }] };
  const headers = { authorization: `Bearer ${secret}` };

  async function rejection(promise: Promise<unknown>): Promise<HttpError> {
    try {
      await promise;
    } catch (err) {
      assert.ok(err instanceof HttpError, `expected HttpError, got ${String(err)}`);
      return err;
    }
    assert.fail("expected the call to fail");
  }

  it("honours Retry-After in seconds, then succeeds", async () => {
    const clock = new ManualClock(1_000_000);
    server.fail({ kind: "status", status: 429, headers: { "retry-after": "7" } });
    const response = await fetchJson({ url, body: chat, headers }, {}, { clock, random: () => 0.5 });
    assert.equal(response.status, 200);
    assert.equal(response.attempts, 2);
    assert.deepEqual(clock.sleeps, [7000]);
  });

  it("honours retry-after-ms and x-ms-retry-after-ms before Retry-After", async () => {
    const clock = new ManualClock();
    server.fail(
      { kind: "status", status: 429, headers: { "retry-after": "30", "retry-after-ms": "250" } },
      { kind: "status", status: 429, headers: { "x-ms-retry-after-ms": "1500" } },
    );
    const response = await fetchJson({ url, body: chat, headers }, {}, { clock });
    assert.equal(response.attempts, 3);
    assert.deepEqual(clock.sleeps, [250, 1500]);
  });

  it("honours Retry-After as an HTTP date", async () => {
    const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
    server.fail({ kind: "status", status: 503, headers: { "retry-after": "Thu, 01 Jan 2026 00:00:04 GMT" } });
    await fetchJson({ url, body: chat, headers }, {}, { clock });
    assert.deepEqual(clock.sleeps, [4000]);
  });

  it("retries 5xx with exponential equal-jitter backoff, then succeeds", async () => {
    const clock = new ManualClock();
    server.fail({ kind: "status", status: 500 }, { kind: "status", status: 502 }, { kind: "status", status: 503 });
    const retries: number[] = [];
    const response = await fetchJson(
      { url, body: chat, headers },
      { baseDelayMs: 100 },
      { clock, random: () => 0.5, onRetry: (event) => retries.push(event.attempt) },
    );
    assert.equal(response.attempts, 4);
    // steps 100, 200, 400; equal jitter at random 0.5 waits three quarters of each
    assert.deepEqual(clock.sleeps, [75, 150, 300]);
    assert.deepEqual(retries, [1, 2, 3]);
    assert.equal((response.body as { choices: { message: { content: string } }[] }).choices[0].message.content, "hello there");
  });

  it("gives up after maxAttempts with the server's message and the attempt count", async () => {
    const clock = new ManualClock();
    server.fail(...Array.from({ length: 3 }, () => ({ kind: "status" as const, status: 500, body: { error: { code: "InternalError", message: "backend exploded" } } })));
    const error = await rejection(fetchJson({ url, body: chat, headers }, { maxAttempts: 3 }, { clock }));
    assert.equal(error.status, 500);
    assert.equal(error.attempts, 3);
    assert.equal(error.code, "InternalError");
    assert.match(error.message, /backend exploded/);
    assert.match(error.message, /3 attempts/);
  });

  it("does not retry a 400 and surfaces the body's error code", async () => {
    server.fail({ kind: "status", status: 400, body: { error: { code: "content_filter", message: "The response was filtered due to the prompt triggering content management policy." } } });
    const before = server.requests.length;
    const error = await rejection(fetchJson({ url, body: chat, headers }, {}, { clock: new ManualClock() }));
    assert.equal(server.requests.length - before, 1);
    assert.equal(error.status, 400);
    assert.equal(error.code, "content_filter");
    assert.match(error.message, /content management policy/);
  });

  it("stops when the server's Retry-After exceeds the total wait budget", async () => {
    const clock = new ManualClock();
    server.fail({ kind: "status", status: 429, headers: { "retry-after": "600" } });
    const error = await rejection(fetchJson({ url, body: chat, headers }, { maxTotalWaitMs: 30_000 }, { clock }));
    assert.equal(error.status, 429);
    assert.match(error.message, /retry budget/);
    assert.deepEqual(clock.sleeps, []);
  });

  it("times out a hanging attempt, retries, and fails with a clear timeout error", async () => {
    server.fail({ kind: "hang" }, { kind: "hang" });
    const error = await rejection(fetchJson({ url, body: chat, headers }, { timeoutMs: 150, maxAttempts: 2 }, { clock: new ManualClock() }));
    assert.equal(error.status, 0);
    assert.equal(error.code, "timeout");
    assert.equal(error.attempts, 2);
    assert.match(error.message, /timed out after 150 ms \(2 attempts\)/);
  });

  it("retries a timed-out attempt and succeeds on the next", async () => {
    server.fail({ kind: "hang" });
    const response = await fetchJson({ url, body: chat, headers }, { timeoutMs: 150 }, { clock: new ManualClock() });
    assert.equal(response.attempts, 2);
  });

  it("retries a dropped connection as a network error", async () => {
    server.fail({ kind: "drop" });
    const response = await fetchJson({ url, body: chat, headers }, {}, { clock: new ManualClock() });
    assert.equal(response.attempts, 2);
  });

  it("reports malformed JSON clearly", async () => {
    server.fail({ kind: "malformed" });
    const error = await rejection(fetchJson({ url, body: chat, headers }, {}, { clock: new ManualClock() }));
    assert.equal(error.code, "malformed_json");
    assert.match(error.message, /not valid JSON/);
    assert.match(error.message, /body starts: /);
  });

  it("never puts request headers (keys, tokens) or the query string in errors", async () => {
    const clock = new ManualClock();
    server.fail({ kind: "status", status: 500 }, { kind: "status", status: 500 });
    const error = await rejection(
      fetchJson({ url: `${url}?code=${secret}`, body: chat, headers: { authorization: `Bearer ${secret}`, "api-key": secret } }, { maxAttempts: 2 }, { clock }),
    );
    const unauthorised = await rejection(fetchJson({ url, body: chat, headers: { authorization: "Bearer wrong-key-XYZ" } }, {}, { clock }));
    for (const err of [error, unauthorised]) {
      const shown = `${err.message} ${JSON.stringify(err)} ${err.stack ?? ""}`;
      assert.ok(!shown.includes(secret), shown);
      assert.ok(!shown.includes("wrong-key-XYZ"), shown);
    }
    assert.equal(unauthorised.status, 401);
  });

  it("stops retrying when the caller aborts", async () => {
    const controller = new AbortController();
    server.fail({ kind: "status", status: 503, headers: { "retry-after": "1" } });
    const clock = new ManualClock();
    clock.sleep = async () => {
      controller.abort(new Error("stopped by user"));
      throw new Error("stopped by user");
    };
    await assert.rejects(fetchJson({ url, body: chat, headers, signal: controller.signal }, {}, { clock }), /stopped by user/);
  });

  it("asks for headers before every attempt (a refreshed token is used on retry)", async () => {
    let calls = 0;
    server.fail({ kind: "status", status: 500 });
    await fetchJson({ url, body: chat, headers: async () => ({ authorization: `Bearer ${calls++ === 0 ? "stale" : secret}` }) }, {}, { clock: new ManualClock() });
    assert.equal(calls, 2);
    assert.equal(server.requests.at(-1)?.headers.authorization, `Bearer ${secret}`);
  });

  it("sends through an injected fetch when given, with the same retry and timeout behaviour", async () => {
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    server.fail({ kind: "status", status: 429, headers: { "retry-after-ms": "10" } }, { kind: "hang" });
    const clock = new ManualClock();
    const response = await fetchJson({ url, body: chat, headers }, { timeoutMs: 150 }, { fetch: counting, clock });
    assert.equal(calls, 3);
    assert.equal(response.attempts, 3);
    assert.deepEqual(clock.sleeps.slice(0, 1), [10]);
    assert.equal((response.body as { choices: { message: { content: string } }[] }).choices[0].message.content, "hello there");
  });
});
