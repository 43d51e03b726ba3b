import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import type { IncomingMessage } from "node:http";
import { createServer } from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { startServe } from "../support/llmopsServe";
import { writeTypedFlow } from "../serve/fixtures";
import { cleanupFlowDirs } from "../flow/support";

interface Envelope {
  name?: string;
  data?: { baseType?: string; baseData?: Record<string, unknown> };
}

/** A self-signed certificate for 127.0.0.1 (the exporter only speaks HTTPS); undefined without openssl. */
function loopbackCertificate(dir: string): { key: string; cert: string; certFile: string } | undefined {
  const keyFile = path.join(dir, "key.pem");
  const certFile = path.join(dir, "cert.pem");
  const result = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { encoding: "utf8" });
  if (result.status !== 0) return undefined;
  return { key: fs.readFileSync(keyFile, "utf8"), cert: fs.readFileSync(certFile, "utf8"), certFile };
}

/** Application Insights' ingestion API on 127.0.0.1 (HTTPS): accepts `POST /v2.1/track` batches and keeps the envelopes. */
async function startIngestion(tls: { key: string; cert: string }): Promise<{ url: string; envelopes: Envelope[]; close(): Promise<void> }> {
  const envelopes: Envelope[] = [];
  const server = createServer(tls, (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      let body = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body);
      if (req.url?.startsWith("/v2.1/track") || req.url?.startsWith("/v2/track")) {
        const text = body.toString("utf8").trim();
        const parsed: unknown = text.startsWith("[") ? JSON.parse(text) : text.split("\n").filter(Boolean).map((line) => JSON.parse(line) as unknown);
        for (const envelope of parsed as Envelope[]) envelopes.push(envelope);
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ itemsReceived: 1, itemsAccepted: 1, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    envelopes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("llmops serve: OpenTelemetry to Application Insights", function () {
  this.timeout(60000);
  after(() => cleanupFlowDirs());

  it("exports the request, the flow's span and the request metrics when APPLICATIONINSIGHTS_CONNECTION_STRING is set", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "serve-otel-"));
    const tls = loopbackCertificate(dir);
    if (tls === undefined) this.skip();
    const ingestion = await startIngestion(tls);
    try {
      const server = await startServe({
        args: ["--flow", writeTypedFlow()],
        env: {
          APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=${ingestion.url}`,
          APPLICATIONINSIGHTS_STATSBEAT_DISABLED: "true",
          // The distro samples at most 5 traces a second by default, which may drop a test's only trace.
          OTEL_TRACES_SAMPLER: "always_on",
          NODE_EXTRA_CA_CERTS: tls.certFile,
        },
      });
      const response = await fetch(`${server.url}/score`, { method: "POST", headers: { "content-type": "application/json", "x-request-id": "otel-1" }, body: JSON.stringify({ text: "secret text", count: 1 }) });
      assert.equal(response.status, 200);
      assert.equal(await server.stop(), 0, server.stderr());
      const types = ingestion.envelopes.map((envelope) => envelope.data?.baseType);
      const request = ingestion.envelopes.find((envelope) => envelope.data?.baseType === "RequestData" && String(envelope.data.baseData?.name ?? "").includes("/score"));
      assert.ok(request, `a request for /score among ${JSON.stringify(types)}`);
      assert.equal(String(request.data!.baseData!.responseCode), "200");
      const flowSpan = ingestion.envelopes.find((envelope) => envelope.data?.baseType === "RemoteDependencyData" && String(envelope.data.baseData?.name ?? "").startsWith("flow "));
      assert.ok(flowSpan, `the flow span among ${JSON.stringify(types)}`);
      assert.equal((flowSpan.data!.baseData!.properties as Record<string, string>)["llmops.request_id"], "otel-1");
      const metrics = ingestion.envelopes.filter((envelope) => envelope.data?.baseType === "MetricData").flatMap((envelope) => (envelope.data!.baseData!.metrics as { name: string }[]).map((metric) => metric.name));
      assert.ok(metrics.includes("llmops.serve.requests") || metrics.includes("llmops.serve.duration"), `request metrics among ${JSON.stringify(metrics)}`);
      assert.ok(!JSON.stringify(ingestion.envelopes).includes("secret text"), "no input reaches telemetry");
    } finally {
      await ingestion.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
