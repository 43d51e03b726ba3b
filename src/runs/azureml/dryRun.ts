/**
 * `--dry-run`: the requests a run on Azure ML would make, recorded instead of sent, so reviewers and checks can
 * validate job bodies and upload paths. Nothing is contacted and no credential is needed, so the default
 * datastore is shown by name (`azureml://datastores/<name>/paths/...`); no secret is ever part of a request.
 */
import { stat } from "node:fs/promises";
import type { BlobStore } from "../../azure/blob/datastoreBlobs";
import { datastoresPath, datastoreUri, jobPath, machineLearningJobsApiVersion, type JobState } from "../../azure/ml/commandJobs";
import type { JobsApi } from "./runOnAzureMl";

export interface RecordedRequest {
  service: "arm" | "blob";
  method: "GET" | "HEAD" | "PUT" | "POST";
  url: string;
  body?: unknown;
  /** Size of an uploaded file or text. */
  bytes?: number;
  note?: string;
}

export class RequestRecorder {
  readonly requests: RecordedRequest[] = [];

  constructor(
    private readonly armBaseUrl: string,
    readonly datastore: string,
  ) {}

  armUrl(path: string): string {
    return `${this.armBaseUrl}${path}?api-version=${machineLearningJobsApiVersion}`;
  }

  jobs(workspaceId: string): JobsApi {
    this.requests.push({ service: "arm", method: "GET", url: this.armUrl(datastoresPath(workspaceId)), note: "the workspace's default datastore (isDefault)" });
    return {
      workspaceId,
      submit: async (name: string, body: Record<string, unknown>): Promise<JobState> => {
        this.requests.push({ service: "arm", method: "PUT", url: this.armUrl(jobPath(workspaceId, name)), body });
        return { status: "NotStarted" };
      },
      state: async (name: string): Promise<JobState> => {
        this.requests.push({ service: "arm", method: "GET", url: this.armUrl(jobPath(workspaceId, name)) });
        return { status: "NotStarted" };
      },
      cancel: async (name: string): Promise<void> => {
        this.requests.push({ service: "arm", method: "POST", url: this.armUrl(`${jobPath(workspaceId, name)}/cancel`) });
      },
    };
  }

  blobs(): BlobStore {
    const url = (path: string): string => datastoreUri(this.datastore, path);
    return {
      exists: async (path) => {
        this.requests.push({ service: "blob", method: "HEAD", url: url(path), note: "skips the upload when the content-addressed blob exists" });
        return false;
      },
      uploadFile: async (path, localFile) => {
        this.requests.push({ service: "blob", method: "PUT", url: url(path), bytes: (await stat(localFile)).size, note: `from ${localFile}` });
      },
      uploadText: async (path, text) => {
        let body: unknown = text;
        try {
          body = JSON.parse(text) as unknown;
        } catch {
          // Not JSON: shown as text.
        }
        this.requests.push({ service: "blob", method: "PUT", url: url(path), bytes: Buffer.byteLength(text), body });
      },
      list: async (prefix) => {
        this.requests.push({ service: "blob", method: "GET", url: url(prefix), note: "list" });
        return [];
      },
      downloadText: async (path) => {
        this.requests.push({ service: "blob", method: "GET", url: url(path) });
        return "";
      },
    };
  }
}
