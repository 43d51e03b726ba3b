import * as path from "node:path";
import type { DatasetPlan, FlowPlan } from "../plan/types";
import { WorkspaceRef, datastorePathUri } from "./azureIds";
import { defaultDatastoreName } from "../azure/ml/workspaceDatastore";

/** One file to upload to the workspace's default datastore. */
export interface BlobSpec {
  /** Pulumi resource name: the blob path itself, unique because paths carry the content hash. */
  resourceName: string;
  blobName: string;
  sourcePath: string;
  contentType: string;
}

const contentTypes: Record<string, string> = {
  ".yaml": "application/x-yaml",
  ".yml": "application/x-yaml",
  ".json": "application/json",
  ".jsonl": "application/jsonl",
  ".py": "text/x-python",
  ".jinja2": "text/plain",
  ".txt": "text/plain",
  ".md": "text/markdown",
  ".csv": "text/csv",
};

export function contentTypeOf(fileName: string): string {
  return contentTypes[path.extname(fileName).toLowerCase()] ?? "application/octet-stream";
}

/** Blobs of the flow folder under `<datastorePath>/<relative path>`, in the plan's (sorted) order. */
export function flowBlobSpecs(flow: FlowPlan): BlobSpec[] {
  return flow.files.map((file) => {
    const blobName = `${trimSlashes(flow.model.datastorePath)}/${file.relativePath}`;
    return { resourceName: blobName, blobName, sourcePath: file.absolutePath, contentType: contentTypeOf(file.relativePath) };
  });
}

/** A dataset's datastore path names the file itself (a `uri_file` asset). */
export function datasetBlobSpec(dataset: DatasetPlan): BlobSpec {
  const blobName = trimSlashes(dataset.datastorePath);
  return { resourceName: blobName, blobName, sourcePath: dataset.localPath, contentType: contentTypeOf(dataset.localPath) };
}

/** `properties` of the flow's ModelVersion: prompt flow's markers so the studio shows it as a flow. */
export function flowModelVersionProperties(flow: FlowPlan, ws: WorkspaceRef, tags: Record<string, string>) {
  return {
    description: `Prompt flow ${flow.name}, content ${flow.contentHash.slice(0, 12)}`,
    modelType: "custom_model",
    modelUri: datastorePathUri(ws, defaultDatastoreName, trimSlashes(flow.model.datastorePath)),
    properties: {
      // What Azure ML studio's endpoint Test tab reads to know a deployment serves a prompt flow.
      "azureml.promptflow.source_flow_id": flow.name,
      "is-promptflow": "true",
      "azureml.promptflow.dag_file": flow.definition.file,
      // The studio's Test tab reads these to offer a chat box for chat flows.
      ...(flow.definition.chat
        ? {
            "azureml.promptflow.mode": "chat",
            "azureml.promptflow.chat_input": flow.definition.chat.input,
            ...(flow.definition.chat.output ? { "azureml.promptflow.chat_output": flow.definition.chat.output } : {}),
          }
        : {}),
      "llmops.content-hash": flow.contentHash,
    },
    tags: { ...tags, "flow-name": flow.name },
  };
}

export function datasetVersionProperties(dataset: DatasetPlan, ws: WorkspaceRef, tags: Record<string, string>) {
  return {
    dataType: "uri_file" as const,
    dataUri: datastorePathUri(ws, defaultDatastoreName, trimSlashes(dataset.datastorePath)),
    description: dataset.description ?? `Dataset ${dataset.name}`,
    properties: { "llmops.content-hash": dataset.sha256 },
    tags,
  };
}

function trimSlashes(value: string): string {
  return value.replace(/^\/+|\/+$/g, "");
}
