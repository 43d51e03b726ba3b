/**
 * Azurite, Microsoft's Azure Storage emulator (devDependency), as a child process on 127.0.0.1 with an ephemeral
 * port and a temporary data folder, so parallel test runs never share a port or data. Never Docker. When
 * LLMOPS_TEST_AZURITE_URL points at a running Azurite blob endpoint (e.g. http://127.0.0.1:10000/devstoreaccount1)
 * that one is used instead, and left running.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";

/** Azurite's published development account and key (documented by Microsoft; not a secret). */
export const azuriteAccount = "devstoreaccount1";
export const azuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface Azurite {
  /** Blob service URL including the account: http://127.0.0.1:<port>/devstoreaccount1 */
  blobUrl: string;
  service: BlobServiceClient;
  stop(): Promise<void>;
}

export async function startAzurite(): Promise<Azurite> {
  const external = process.env.LLMOPS_TEST_AZURITE_URL;
  if (external) {
    const blobUrl = external.replace(/\/+$/, "");
    return { blobUrl, service: serviceFor(blobUrl), stop: async () => undefined };
  }
  const location = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-azurite-"));
  const main = path.join(path.dirname(require.resolve("azurite/package.json")), "dist", "src", "blob", "main.js");
  const child: ChildProcess = spawn(
    process.execPath,
    [main, "--blobHost", "127.0.0.1", "--blobPort", "0", "--location", location, "--skipApiVersionCheck", "--loose", "--disableTelemetry", "--silent"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`Azurite did not start in 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listens on http:\/\/127\.0\.0\.1:([0-9]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with ${code}:\n${output}`));
    });
  });
  const blobUrl = `http://127.0.0.1:${port}/${azuriteAccount}`;
  return {
    blobUrl,
    service: serviceFor(blobUrl),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        await exited;
      }
      fs.rmSync(location, { recursive: true, force: true });
    },
  };
}

function serviceFor(blobUrl: string): BlobServiceClient {
  return new BlobServiceClient(blobUrl, new StorageSharedKeyCredential(azuriteAccount, azuriteKey), { retryOptions: { maxTries: 1 } });
}
