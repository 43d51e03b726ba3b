/**
 * Content-addressed uploads to the workspace's default datastore: a file goes to `llmops/<kind>/<sha256>/<name>`
 * and a flow folder to `llmops/flows/<content hash>/`, so an unchanged dataset or flow is found by its path and
 * never uploaded twice, and a changed one can never be confused with the old one. A flow folder is complete once
 * its marker blob exists (written last), so an interrupted upload is redone.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import * as path from "node:path";
import type { BlobStore } from "../../azure/blob/datastoreBlobs";
import { sha256Hex } from "../../core/sha256";
import { readFlowFiles } from "../../flow/flowFolder";
import { contentHashOf } from "../../plan/flowFolder";

export async function fileSha256(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export class DatastoreUploads {
  private readonly done = new Map<string, Promise<string>>();
  /** Datastore paths actually uploaded (not found there already). */
  readonly uploaded: string[] = [];

  constructor(private readonly blobs: BlobStore) {}

  /** Datastore path of a dataset file, uploaded unless already there. */
  dataset(file: string): Promise<string> {
    return this.once(`data:${file}`, async () => {
      const blobPath = `llmops/data/${await fileSha256(file)}/${path.basename(file)}`;
      if (!(await this.blobs.exists(blobPath))) {
        await this.blobs.uploadFile(blobPath, file);
        this.uploaded.push(blobPath);
      }
      return blobPath;
    });
  }

  /** Datastore folder (ending in `/`) of a flow folder, uploaded unless already complete there. */
  flow(dir: string): Promise<string> {
    return this.once(`flow:${dir}`, async () => {
      const files = readFlowFiles(dir);
      const folder = `llmops/flows/${contentHashOf(files)}/`;
      const marker = `${folder.slice(0, -1)}.complete`;
      if (!(await this.blobs.exists(marker))) {
        for (const file of files) await this.blobs.uploadFile(`${folder}${file.relativePath}`, file.absolutePath);
        await this.blobs.uploadText(marker, JSON.stringify({ files: files.length }));
        this.uploaded.push(folder);
      }
      return folder;
    });
  }

  /** Datastore path of a JSON document (a job spec), by the hash of its text. */
  json(name: string, text: string): Promise<string> {
    const blobPath = `llmops/jobs/${sha256Hex(text)}/${name}`;
    return this.once(`json:${blobPath}`, async () => {
      if (!(await this.blobs.exists(blobPath))) {
        await this.blobs.uploadText(blobPath, text);
        this.uploaded.push(blobPath);
      }
      return blobPath;
    });
  }

  private once(key: string, upload: () => Promise<string>): Promise<string> {
    let pending = this.done.get(key);
    if (pending === undefined) {
      pending = upload();
      this.done.set(key, pending);
      // A failed upload is tried again by the next caller.
      void pending.catch(() => this.done.delete(key));
    }
    return pending;
  }
}
