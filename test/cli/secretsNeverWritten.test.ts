/**
 * Secrets on the failure paths of `llmops evaluate --phase pre`: the model rejects every call (401), so error
 * messages travel from the HTTP client into line records, evaluator runs, every report, progress lines and the
 * CLI's own output. Marker values planted in the API key, in credentials embedded in the API base URL and in the
 * endpoint key must appear in none of them.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { allFiles, latestRun, runCli, writeExperiment } from "../evaluation/phases/cliSupport";

const apiKey = "planted-aoai-key-5d1e7b";
const urlPassword = "planted-url-password-93c0aa";
const endpointKey = "planted-endpoint-key-e41f02";
const markers = [apiKey, urlPassword, endpointKey];

describe("llmops evaluate: planted secrets appear in no output when every model call fails", function () {
  this.timeout(240_000);
  let server: Server;
  let port: number;
  let tmp: string;
  const seen: IncomingHttpHeaders[] = [];

  before(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      req.on("end", () => {
        res.writeHead(401, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "401", message: "Access denied due to invalid subscription key or wrong API endpoint." } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-secrets-"));
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("keeps the API key, URL credentials and endpoint key out of stdout, stderr and every file written", async () => {
    const experiment = writeExperiment(tmp, { gates: ["error_rate <= 0.02"] });
    const out = path.join(tmp, "reports");
    const result = await runCli(["--phase", "pre", "--experiment", experiment, "--out", out], {
      AOAI_API_BASE: `http://llmops:${urlPassword}@127.0.0.1:${port}`,
      AOAI_API_KEY: apiKey,
      LLMOPS_ENDPOINT_KEY: endpointKey,
    });
    // The calls really carried the key, and failed: the failure paths were exercised.
    assert.ok(seen.some((headers) => headers["api-key"] === apiKey), "the model was called with the planted key");
    assert.equal(result.code, 1, result.stderr);
    const run = latestRun(out);
    assert.ok(run.file("results.csv").includes("401"), "line errors reach the reports");

    const written = allFiles(out);
    assert.ok(written.some((file) => file.file.endsWith("records.jsonl")));
    for (const marker of markers) {
      assert.ok(!result.stdout.includes(marker), `${marker} on stdout`);
      assert.ok(!result.stderr.includes(marker), `${marker} on stderr`);
      for (const { file, text } of written) assert.ok(!text.includes(marker), `${marker} in ${path.relative(out, file)}`);
    }
  });
});
