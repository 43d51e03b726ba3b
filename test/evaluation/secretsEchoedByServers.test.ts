/**
 * Servers echo requests in their error bodies. When they do, the key (`api-key`, `Authorization: Bearer`) and a
 * `?code=` of the URL must not travel into records.jsonl, results.csv, report.html or the console: every recorded
 * error goes through the one redaction function (src/core/redaction.ts).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { redactSecrets } from "../../src/core/redaction";
import { createScoringTarget } from "../../src/evaluation/scoring/scoringTarget";
import { runBulk } from "../../src/runs/bulk";
import { allFiles, latestRun, runCli, writeExperiment } from "./phases/cliSupport";

const apiKey = "echoed-aoai-key-7f3b2c19";
const endpointKey = "echoed-endpoint-key-2a9d41";
const functionCode = "echoed-function-code-66c0";

/** Answers every request with 400 and the whole request (headers, URL) in the error message, as some proxies do. */
function echoingServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "BadRequest", message: `rejected ${JSON.stringify({ url: req.url, headers: req.headers })}` } }));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as AddressInfo).port })));
}

describe("secrets echoed by servers are redacted from everything recorded", function () {
  this.timeout(240_000);
  let server: Server;
  let port: number;
  let tmp: string;
  before(async () => {
    ({ server, port } = await echoingServer());
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-echo-"));
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("redacts known values and credential shapes, keeping the labels", () => {
    const text = `Authorization: Bearer abcdefghijklmnop; url /score?code=${functionCode}&x=1; said ${apiKey}; AccountKey=c2VjcmV0c2VjcmV0==;`;
    const redacted = redactSecrets(text, [apiKey]);
    for (const secret of ["abcdefghijklmnop", functionCode, apiKey, "c2VjcmV0"]) assert.ok(!redacted.includes(secret), redacted);
    assert.match(redacted, /Bearer \[redacted\]/);
    assert.match(redacted, /\?code=\[redacted\]&x=1/);
  });

  it("a scoring endpoint echoing the Bearer key and ?code= leaves neither in records.jsonl", async () => {
    const data = path.join(tmp, "rows.jsonl");
    fs.writeFileSync(data, '{"ticket": "a"}\n{"ticket": "b"}\n');
    const runDir = path.join(tmp, "scoring-run");
    const executor = createScoringTarget({
      name: "webapp:echo",
      url: `http://127.0.0.1:${port}/score?code=${functionCode}`,
      auth: { kind: "key", key: endpointKey },
      retry: { maxAttempts: 1 },
    });
    const summary = await runBulk({ data, executor, runDir });
    assert.equal(summary.failed, 2);
    const records = fs.readFileSync(path.join(runDir, "records.jsonl"), "utf8");
    assert.match(records, /rejected/, "the server's message is still recorded");
    assert.ok(!records.includes(endpointKey), records);
    assert.ok(!records.includes(functionCode), records);
  });

  it("llmops evaluate --phase pre: the api-key echoed by the model server is in no report and not on the console", async () => {
    const experiment = writeExperiment(tmp, { gates: ["error_rate <= 0.02"] });
    const out = path.join(tmp, "reports");
    const result = await runCli(["--phase", "pre", "--experiment", experiment, "--out", out], {
      AOAI_API_BASE: `http://127.0.0.1:${port}`,
      AOAI_API_KEY: apiKey,
    });
    assert.equal(result.code, 1, result.stderr);
    const run = latestRun(out);
    assert.ok(run.file("results.csv").includes("rejected"), "the echoed error reaches the reports");
    const written = allFiles(out);
    assert.ok(written.some((file) => file.file.endsWith("records.jsonl")) && written.some((file) => file.file.endsWith("report.html")));
    assert.ok(!result.stdout.includes(apiKey) && !result.stderr.includes(apiKey));
    for (const { file, text } of written) assert.ok(!text.includes(apiKey), `the key in ${path.relative(out, file)}`);
  });
});
