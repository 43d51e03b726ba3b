import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensurePromptfoo, promptfooArgs, promptfooConfig, promptfooEnv, promptfooVersion, readPromptfooOutput } from "./promptfoo";

/** The shape of `promptfoo eval -o out.json` (0.121), trimmed to what is read. */
function output(results: Record<string, unknown>[], durationMs?: number): unknown {
  return {
    evalId: "eval-1",
    results: { version: 3, results, stats: { successes: 0, failures: 0, errors: 0, ...(durationMs !== undefined ? { durationMs } : {}) } },
  };
}

describe("promptfoo side of the endpoint benchmark", () => {
  it("counts passes, assertion failures (scored) and errors (not scored) from the output JSON", () => {
    const outcome = readPromptfooOutput(
      output(
        [
          { success: true, failureReason: 0, latencyMs: 30, response: { output: "billing" } },
          { success: false, failureReason: 1, latencyMs: 10, error: 'Expected output "other" to equal "technical"', response: { output: "other" } },
          { success: false, failureReason: 2, latencyMs: 50, error: "HTTP 500" },
          { success: true, failureReason: 0, latencyMs: 20, response: { output: "account" } },
        ],
        4887,
      ),
    );
    assert.deepEqual(outcome, { rows: 4, scored: 3, passed: 2, errors: 1, evalSeconds: 4.887, latencyMs: { p50: 20, p95: 50 } });
  });

  it("leaves the evaluation time unknown when promptfoo does not report it, and rejects output without results", () => {
    assert.equal(readPromptfooOutput(output([])).evalSeconds, undefined);
    assert.throws(() => readPromptfooOutput({ results: {} }), /no results\.results/);
    assert.throws(() => readPromptfooOutput(null), /no results\.results/);
  });

  it("configures one HTTP provider to the endpoint with the flow input and the category output", () => {
    const config = promptfooConfig("http://127.0.0.1:5000/score", "/tmp/x/tests.jsonl");
    assert.deepEqual(config.providers, [
      {
        id: "http://127.0.0.1:5000/score",
        config: { method: "POST", headers: { "content-type": "application/json" }, body: { ticket_text: "{{ticket_text}}" }, transformResponse: "json.category" },
      },
    ]);
    assert.equal(config.tests, "file:///tmp/x/tests.jsonl");
  });

  it("runs offline at the given concurrency without cache, writing JSON output", () => {
    const args = promptfooArgs("c.json", "out.json", 64);
    assert.deepEqual(args.slice(0, 3), ["eval", "-c", "c.json"]);
    assert.equal(args[args.indexOf("-j") + 1], "64");
    assert.equal(args[args.indexOf("-o") + 1], "out.json");
    assert.ok(args.includes("--no-cache"));
    assert.deepEqual(promptfooEnv("/h"), { PROMPTFOO_DISABLE_TELEMETRY: "1", PROMPTFOO_DISABLE_UPDATE: "1", PROMPTFOO_CONFIG_DIR: "/h" });
  });

  describe("install on demand", () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "bench-promptfoo-"));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it("reuses the pinned version already in the scratch folder instead of installing", async () => {
      const packageDir = join(dir, "node_modules", "promptfoo");
      await mkdir(packageDir, { recursive: true });
      await writeFile(join(packageDir, "package.json"), JSON.stringify({ name: "promptfoo", version: promptfooVersion, bin: { promptfoo: "dist/src/entrypoint.js" } }));
      const messages: string[] = [];
      const cli = await ensurePromptfoo(dir, (message) => messages.push(message));
      assert.equal(cli, join(packageDir, "dist/src/entrypoint.js"));
      assert.deepEqual(messages, [], "nothing installed");
    });
  });
});
