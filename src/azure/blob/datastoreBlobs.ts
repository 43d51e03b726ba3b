/**
 * The blobs of an Azure ML datastore (a container of the workspace's storage account) through @azure/storage-blob.
 * The SDK retries throttling and server errors (503 included) with exponential backoff; the delays here suit
 * uploads of datasets and downloads of many small mini-batch files.
 *
 * Sign-in is Entra ID (the caller's credential, scope https://storage.azure.com/.default), so no account key ever
 * leaves the account. Against the storage emulator (Azurite), `LLMOPS_BLOB_ENDPOINT` and `LLMOPS_BLOB_ACCOUNT_KEY`
 * select its address and its published development key instead.
 */
import { StorageSharedKeyCredential, BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import type { TokenCredential } from "@azure/identity";

export const blobEndpointVariable = "LLMOPS_BLOB_ENDPOINT";
export const blobAccountKeyVariable = "LLMOPS_BLOB_ACCOUNT_KEY";
export const storageTokenScope = "https://storage.azure.com/.default";

/** Where a blob datastore keeps its files, as the datastore resource says. */
export interface BlobDatastoreLocation {
  accountName: string;
  containerName: string;
  /** e.g. core.windows.net */
  endpoint: string;
  /** e.g. https */
  protocol: string;
}

/** What runs on Azure ML need from a datastore. */
export interface BlobStore {
  exists(path: string): Promise<boolean>;
  uploadFile(path: string, localFile: string): Promise<void>;
  uploadText(path: string, text: string): Promise<void>;
  /** Names of the blobs under a prefix. */
  list(prefix: string): Promise<string[]>;
  downloadText(path: string): Promise<string>;
}

export function blobServiceUrl(location: BlobDatastoreLocation, env: Record<string, string | undefined>): string {
  const configured = env[blobEndpointVariable]?.trim();
  if (configured) return configured.replace(/\/+$/, "");
  return `${location.protocol || "https"}://${location.accountName}.blob.${location.endpoint || "core.windows.net"}`;
}

export function openBlobStore(
  location: BlobDatastoreLocation,
  env: Record<string, string | undefined>,
  getToken: () => Promise<string>,
): BlobStore {
  const url = blobServiceUrl(location, env);
  const key = env[blobAccountKeyVariable];
  const credential: StorageSharedKeyCredential | TokenCredential = key
    ? new StorageSharedKeyCredential(location.accountName, key)
    : {
        // The token source caches and refreshes; storage asks again before this nominal expiry.
        getToken: async () => ({ token: await getToken(), expiresOnTimestamp: Date.now() + 5 * 60_000 }),
      };
  const service = new BlobServiceClient(url, credential, {
    retryOptions: { maxTries: 6, retryDelayInMs: 500, maxRetryDelayInMs: 30_000, tryTimeoutInMs: 10 * 60_000 },
  });
  return containerStore(service.getContainerClient(location.containerName));
}

function containerStore(container: ContainerClient): BlobStore {
  return {
    exists: (path) => container.getBlockBlobClient(path).exists(),
    async uploadFile(path, localFile) {
      await container.getBlockBlobClient(path).uploadFile(localFile, { concurrency: 4 });
    },
    async uploadText(path, text) {
      const body = Buffer.from(text, "utf8");
      await container.getBlockBlobClient(path).upload(body, body.length, { blobHTTPHeaders: { blobContentType: "application/json" } });
    },
    async list(prefix) {
      const names: string[] = [];
      for await (const blob of container.listBlobsFlat({ prefix })) names.push(blob.name);
      return names;
    },
    async downloadText(path) {
      return (await container.getBlockBlobClient(path).downloadToBuffer()).toString("utf8");
    },
  };
}
