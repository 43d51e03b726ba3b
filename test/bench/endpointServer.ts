/**
 * The benchmark's scoring endpoint: `POST /score` answers a flow-like `{category, confidence}` after a fixed
 * latency, like a deployed prompt flow whose LLM call takes that long. Deliberately lean (no request log, no
 * auth) so that on a 2-core machine the server costs the clients as little CPU as possible.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { classifyTicket } from "../support/fakeScoringServer";

export interface BenchEndpoint {
  /** `http://127.0.0.1:<port>/score`. */
  scoringUrl: string;
  /** Requests answered 200 so far. */
  answered(): number;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export async function startBenchEndpoint(latencyMs: number): Promise<BenchEndpoint> {
  let answered = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await readBody(req);
    if (req.method !== "POST" || req.url?.split("?")[0] !== "/score") return sendJson(res, 404, { error: `no route for ${req.method} ${req.url}` });
    let inputs: unknown;
    try {
      inputs = JSON.parse(text);
    } catch {
      return sendJson(res, 400, { error: "request body is not JSON" });
    }
    if (inputs === null || typeof inputs !== "object" || Array.isArray(inputs)) return sendJson(res, 400, { error: "request body is not a JSON object" });
    await new Promise((resolve) => setTimeout(resolve, latencyMs));
    answered++;
    sendJson(res, 200, classifyTicket(inputs as Record<string, unknown>));
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(err) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    scoringUrl: `http://127.0.0.1:${port}/score`,
    answered: () => answered,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
