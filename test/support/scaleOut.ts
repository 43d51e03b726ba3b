/**
 * Everything a `--on azureml` run talks to, locally: Azurite as the workspace's default datastore (optionally behind
 * a proxy that answers 503), the fake Azure ML jobs service running jobs as local processes, and an "image" whose
 * `llmops` is this repository's CLI. Built for the sample stack `dev` (Pulumi.dev.yaml declares llmops:jobs), with
 * the cluster, identity and environment IDs its plan derives. Shared by the tests and `npm run bench -- scale-out`.
 */
import * as fs from "node:fs";
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { planStackFile } from "../../src/plan/load/planSources";
import type { JobsPlan } from "../../src/plan/types";
import { startAzurite, azuriteKey, type Azurite } from "./azurite";
import { FakeJobsServer } from "./fakeJobsServer";
import { listenOnLoopback, type LoopbackServer } from "./loopbackServer";

import { repoRoot } from "./cliProcess";

export const cpuBoundFlow = path.join(__dirname, "flows", "cpu_bound");

export interface ScaleOut {
  azurite: Azurite;
  jobs: FakeJobsServer;
  plan: JobsPlan;
  /** Environment of a CLI process that runs against these services. */
  env: Record<string, string>;
  /** Storage requests answered 503 by the proxy before reaching Azurite. */
  storageFaults: { remaining: number; answered: number };
  close(): Promise<void>;
}


/** A 503-injecting pass-through proxy in front of Azurite, so the client's retries are exercised for real. */
async function storageProxy(target: string, faults: { remaining: number; answered: number }): Promise<LoopbackServer> {
  const upstream = new URL(target);
  return listenOnLoopback(
    async (req: IncomingMessage, res: ServerResponse) => {
      if (faults.remaining > 0) {
        faults.remaining--;
        faults.answered++;
        // Drain the body first so the client sees the answer, not a reset.
        for await (const chunk of req) void chunk;
        res.writeHead(503, { "content-type": "application/xml", "x-ms-error-code": "ServerBusy" });
        res.end(`<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>The server is busy.</Message></Error>`);
        return;
      }
      await new Promise<void>((resolve, reject) => {
        const forward = httpRequest(
          { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
            answer.on("end", resolve);
          },
        );
        forward.on("error", reject);
        req.pipe(forward);
      });
    },
    (res) => {
      res.writeHead(502);
      res.end();
    },
  );
}

export async function startScaleOut(options: { secrets?: Record<string, string>; maxNodes?: number } = {}): Promise<ScaleOut> {
  const infra = planStackFile(repoRoot, "dev", { environmentVariables: {} });
  if (infra.jobs === undefined) throw new Error("Pulumi.dev.yaml declares no llmops:jobs");
  const plan = infra.jobs;
  const azurite = await startAzurite();
  const container = azurite.service.getContainerClient(`azureml-blobstore-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`);
  await container.create();
  const imageBin = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-image-"));
  fs.writeFileSync(path.join(imageBin, "llmops"), `#!/bin/sh\nexec "${process.execPath}" "${path.join(repoRoot, "src/cli/llmops.cjs")}" "$@"\n`, { mode: 0o755 });
  const jobs = await new FakeJobsServer({
    workspace: { subscriptionId: infra.azure.subscriptionId, resourceGroupName: infra.azure.resourceGroupName, workspaceName: infra.azure.workspace.name },
    container,
    clusters: { [plan.clusterName]: { maxNodes: options.maxNodes ?? plan.maxNodes } },
    environments: [plan.environmentId],
    identities: { [plan.identityId]: "5a0f4c7e-2b1d-4e8a-9c3f-6d7e8f9a0b1c" },
    imageBin,
    ...(options.secrets !== undefined ? { secrets: options.secrets } : {}),
  }).start();
  const storageFaults = { remaining: 0, answered: 0 };
  const blobUrl = new URL(azurite.blobUrl);
  const proxy = await storageProxy(blobUrl.origin, storageFaults);
  const env = {
    LLMOPS_ARM_ENDPOINT: jobs.url,
    IDENTITY_ENDPOINT: `${jobs.url}/msi/token`,
    IDENTITY_HEADER: jobs.identityHeader,
    LLMOPS_BLOB_ENDPOINT: `${proxy.url}${blobUrl.pathname}`,
    LLMOPS_BLOB_ACCOUNT_KEY: azuriteKey,
    LLMOPS_KEY_VAULT_URL: `${jobs.url}/keyvault`,
  };
  return {
    azurite,
    jobs,
    plan,
    env,
    storageFaults,
    close: async () => {
      await jobs.close();
      await proxy.close();
      await container.delete().catch(() => undefined);
      await azurite.stop();
      fs.rmSync(imageBin, { recursive: true, force: true });
    },
  };
}

/** A dataset for the CPU-bound flow: `lines` rows with ids 0..lines-1. */
export function writeCpuDataset(file: string, lines: number): void {
  const rows: string[] = [];
  for (let id = 0; id < lines; id++) rows.push(JSON.stringify({ id, text: `ticket ${id}: ${"word ".repeat(1 + (id % 7))}`.trim() }));
  fs.writeFileSync(file, `${rows.join("\n")}\n`);
}
