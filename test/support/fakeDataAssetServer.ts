/**
 * A local stand-in for what reading an `azureml:<name>:<version>` dataset talks to, on 127.0.0.1:
 * - ARM: `GET .../workspaces/{ws}/data/{name}/versions/{version}` and `GET .../workspaces/{ws}/datastores/{name}`
 *   (bearer auth, `api-version` required, `{error: {code, message}}` bodies, 404 for unknown ones);
 * - the Blob service, path-style as Azurite serves it: `GET /{account}/{container}/{blob}` (Get Blob) with an Entra
 *   ID bearer token for storage and `x-ms-version` required, `x-ms-error-code` on errors;
 * - an App Service style managed-identity endpoint (`/msi/token`) so DefaultAzureCredential gets its tokens
 *   offline; each token names its resource, so tests see which audience each call used.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { listenOnLoopback } from "./loopbackServer";

export interface FakeDataAssetServer {
  url: string;
  identityHeader: string;
  /** `path` of every request, with the audience of its bearer token ("" without one). */
  requests: { method: string; path: string; audience: string }[];
  /** Registers `name:version` as a uri_file asset in the workspace's blob datastore, with this content. */
  addAsset(workspacePath: string, name: string, version: string, content: string): void;
  close(): Promise<void>;
}

const apiVersion = "2025-12-01";
const account = "mlwstorage01";
const container = "azureml-blobstore-0001";

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

export async function startFakeDataAssetServer(): Promise<FakeDataAssetServer> {
  const identityHeader = "fake-identity-header";
  const assets = new Map<string, { uri: string }>();
  const blobs = new Map<string, string>();
  const requests: FakeDataAssetServer["requests"] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const audience = bearer?.startsWith("token-for-") ? bearer.slice("token-for-".length) : "";
    requests.push({ method: req.method ?? "", path: decodeURIComponent(url.pathname), audience });

    if (url.pathname === "/msi/token") {
      if (req.headers["x-identity-header"] !== identityHeader) return send(res, 401, { error: "invalid_request" });
      const resource = url.searchParams.get("resource") ?? "";
      return send(res, 200, { access_token: `token-for-${resource}`, expires_on: String(Math.floor(Date.now() / 1000) + 3600), resource, token_type: "Bearer" });
    }

    if (url.pathname.startsWith("/subscriptions/")) {
      if (bearer === undefined) return send(res, 401, { error: { code: "AuthenticationFailed", message: "The 'Authorization' header is missing." } });
      if (!audience.startsWith("http://127.0.0.1")) return send(res, 401, { error: { code: "InvalidAuthenticationTokenAudience", message: "The access token has an invalid audience." } });
      if (url.searchParams.get("api-version") !== apiVersion) return send(res, 400, { error: { code: "MissingApiVersionParameter", message: "api-version is required" } });
      const path = decodeURIComponent(url.pathname).toLowerCase();
      const datastore = /\/datastores\/([^/]+)$/.exec(path);
      if (datastore) {
        if (datastore[1] !== "workspaceblobstore") return send(res, 404, { error: { code: "UserError", message: "datastore not found" } });
        return send(res, 200, {
          id: decodeURIComponent(url.pathname),
          name: "workspaceblobstore",
          properties: { datastoreType: "AzureBlob", accountName: account, containerName: container, endpoint: "core.windows.net", protocol: "https" },
        });
      }
      const asset = assets.get(path);
      if (!asset) return send(res, 404, { error: { code: "UserError", message: "The specified data version was not found." } });
      return send(res, 200, { id: decodeURIComponent(url.pathname), properties: { dataType: "uri_file", dataUri: asset.uri, isAnonymous: false } });
    }

    // Blob service, path-style.
    if (bearer === undefined || audience !== "https://storage.azure.com") {
      return send(res, 401, { error: "NoAuthenticationInformation" }, { "x-ms-error-code": "NoAuthenticationInformation" });
    }
    if (req.headers["x-ms-version"] === undefined) return send(res, 400, { error: "MissingRequiredHeader" }, { "x-ms-error-code": "MissingRequiredHeader" });
    const blob = blobs.get(decodeURIComponent(url.pathname));
    if (blob === undefined) return send(res, 404, { error: "BlobNotFound" }, { "x-ms-error-code": "BlobNotFound" });
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(Buffer.byteLength(blob)), "x-ms-blob-type": "BlockBlob" });
    res.end(blob);
  };

  const server = await listenOnLoopback(handle, (res, err) => send(res, 500, { error: { code: "InternalServerError", message: String(err) } }));
  return {
    url: server.url,
    identityHeader,
    requests,
    addAsset(workspacePath, name, version, content) {
      const blobPath = `LocalUpload/${name}-${version}/${name}.jsonl`;
      assets.set(`${workspacePath}/data/${name}/versions/${version}`.toLowerCase(), {
        uri: `azureml://subscriptions/x/resourcegroups/y/workspaces/z/datastores/workspaceblobstore/paths/${blobPath}`,
      });
      blobs.set(`/${account}/${container}/${blobPath}`, content);
    },
    close: () => server.close(),
  };
}
