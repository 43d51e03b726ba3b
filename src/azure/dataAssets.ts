/**
 * `azureml:<name>:<version>` datasets (the template's remote sources): a registered data asset read through the
 * workspace with Entra ID. ARM's data-version GET gives the asset's URI; an `azureml://…/datastores/<ds>/paths/<p>`
 * URI is resolved through the datastore's GET (account, container); the blob is then read with the Blob service's
 * Get Blob and an Entra ID token for storage. Versions are immutable, so a downloaded version is cached by name and
 * version and never fetched again.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ArmApi } from "./arm/armClient";
import { workspaceResourceId, type WorkspaceReference } from "./workspaceConnections";
import { isRecord } from "../core/values";
import { UserError } from "../core/userError";

export const dataAssetApiVersion = "2025-12-01";
/** The Blob service version sent with Get Blob. */
export const blobServiceVersion = "2023-11-03";
/** The Entra ID scope of Azure Storage data access. */
export const storageTokenScope = "https://storage.azure.com/.default";

export interface DataAssetDownloader {
  arm: ArmApi;
  /** A bearer token for Azure Storage (scope storageTokenScope). */
  storageToken: () => Promise<string>;
  /**
   * Where storage accounts are reached, path-style (`<url>/<account>/<container>/<blob>`), as Azurite and other
   * Blob-compatible endpoints serve them; default `https://<account>.blob.<datastore endpoint>`.
   */
  blobEndpoint?: string;
  fetch?: typeof fetch;
}

function text(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** `azureml://[subscriptions/…/workspaces/<ws>/]datastores/<ds>/paths/<p>` → datastore and path. */
export function datastorePathOf(uri: string): { datastore: string; path: string } | undefined {
  const match = /^azureml:\/\/(?:.*\/)?datastores\/([^/]+)\/paths\/(.+)$/.exec(uri);
  return match ? { datastore: decodeURIComponent(match[1]), path: match[2] } : undefined;
}

async function blobUrlOf(uri: string, workspace: WorkspaceReference, downloader: DataAssetDownloader, asset: string): Promise<string> {
  if (/^https?:\/\//.test(uri)) {
    if (downloader.blobEndpoint === undefined) return uri;
    const url = new URL(uri);
    const account = url.hostname.split(".")[0];
    return `${downloader.blobEndpoint.replace(/\/+$/, "")}/${account}${url.pathname}`;
  }
  const located = datastorePathOf(uri);
  if (located === undefined) throw new UserError(`data asset ${asset}: its URI ${uri} is neither a blob URL nor an azureml://…/datastores/<name>/paths/<path> URI`);
  const datastore = await downloader.arm.get(`${workspaceResourceId(workspace)}/datastores/${encodeURIComponent(located.datastore)}`, dataAssetApiVersion);
  const properties = isRecord(datastore) && isRecord(datastore.properties) ? datastore.properties : {};
  const account = text(properties, "accountName");
  const container = text(properties, "containerName");
  if (text(properties, "datastoreType") !== "AzureBlob" || account === undefined || container === undefined) {
    throw new UserError(`data asset ${asset}: datastore ${located.datastore} is not an Azure Blob datastore with an account and a container`);
  }
  if (downloader.blobEndpoint !== undefined) return `${downloader.blobEndpoint.replace(/\/+$/, "")}/${account}/${container}/${located.path}`;
  const protocol = text(properties, "protocol") ?? "https";
  return `${protocol}://${account}.blob.${text(properties, "endpoint") ?? "core.windows.net"}/${container}/${located.path}`;
}

/**
 * Downloads `name:version` to `target` unless it is there already (a version never changes). Writes to a
 * temporary file first, so an interrupted download never leaves a partial dataset in the cache.
 * Returns whether it downloaded.
 */
export async function downloadDataAsset(
  asset: { name: string; version: string },
  workspace: WorkspaceReference,
  target: string,
  downloader: DataAssetDownloader,
): Promise<boolean> {
  if (fs.existsSync(target)) return false;
  const label = `azureml:${asset.name}:${asset.version}`;
  const versionPath = `${workspaceResourceId(workspace)}/data/${encodeURIComponent(asset.name)}/versions/${encodeURIComponent(asset.version)}`;
  const found = await downloader.arm.getIfExists(versionPath, dataAssetApiVersion);
  if (found === undefined) throw new UserError(`dataset ${label} not found in workspace ${workspace.workspaceName}`);
  const properties = isRecord(found) && isRecord(found.properties) ? found.properties : {};
  const dataType = text(properties, "dataType");
  const uri = text(properties, "dataUri");
  if (dataType !== "uri_file" || uri === undefined) {
    throw new UserError(`dataset ${label}: expected a uri_file data asset (a JSONL file), found ${dataType ?? "no data type"}`);
  }
  const url = await blobUrlOf(uri, workspace, downloader, label);
  const doFetch = downloader.fetch ?? fetch;
  const response = await doFetch(url, {
    headers: { authorization: `Bearer ${await downloader.storageToken()}`, "x-ms-version": blobServiceVersion },
  });
  if (!response.ok || response.body === null) {
    const code = response.headers.get("x-ms-error-code");
    throw new UserError(`dataset ${label}: reading ${new URL(url).origin}${new URL(url).pathname} failed with HTTP ${response.status}${code ? ` (${code})` : ""}`);
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.partial`;
  try {
    await pipeline(Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>), fs.createWriteStream(partial));
    fs.renameSync(partial, target);
  } finally {
    fs.rmSync(partial, { force: true });
  }
  return true;
}
