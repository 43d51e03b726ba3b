/**
 * `azureml:<name>:<version>` datasets read through the workspace with Entra ID: ARM's data-version GET, the
 * datastore GET for an azureml:// URI, then Get Blob with a storage token; cached by version. Against the local
 * ARM/Blob/managed-identity server, directly and through `llmops run`.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ArmClient } from "../../src/azure/arm/armClient";
import { downloadDataAsset } from "../../src/azure/dataAssets";
import { workspaceResourceId } from "../../src/azure/workspaceConnections";
import { UserError } from "../../src/core/userError";
import { runLlmops } from "../support/cli";
import { startFakeDataAssetServer, type FakeDataAssetServer } from "../support/fakeDataAssetServer";
import { startFakeOpenAiServer, type FakeOpenAiServer, type FakeRequest } from "../support/fakeOpenAiServer";
import { expectedSentiment, reviewRows, writeTemplateUseCase } from "../support/templateUseCase";

const workspace = { subscriptionId: "00000000-1111-2222-3333-444444444444", resourceGroupName: "rg-llmops-dev", workspaceName: "mlw-llmops-dev" };
const rows = reviewRows.map(({ review }) => JSON.stringify({ review })).join("\n") + "\n";

describe("azureml: datasets from the workspace", function () {
  this.timeout(120_000);
  let server: FakeDataAssetServer;
  let tmp: string;
  before(async () => {
    server = await startFakeDataAssetServer();
    server.addAsset(workspaceResourceId(workspace), "reviews", "2", rows);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-data-assets-"));
  });
  after(async () => {
    await server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  const downloader = () => ({
    arm: new ArmClient({ baseUrl: server.url, getToken: async () => `token-for-${server.url}` }),
    storageToken: async () => "token-for-https://storage.azure.com",
    blobEndpoint: server.url,
  });

  it("downloads a uri_file asset through its datastore with a storage token, then reads it from the cache", async () => {
    const target = path.join(tmp, "cache", "reviews.jsonl");
    server.requests.length = 0;
    assert.equal(await downloadDataAsset({ name: "reviews", version: "2" }, workspace, target, downloader()), true);
    assert.equal(fs.readFileSync(target, "utf8"), rows);
    assert.deepEqual(
      server.requests.map((r) => [r.path.split("/").slice(-2).join("/"), r.audience.startsWith("https://storage") ? "storage" : "arm"]),
      [["versions/2", "arm"], ["datastores/workspaceblobstore", "arm"], ["reviews-2/reviews.jsonl", "storage"]],
    );
    server.requests.length = 0;
    assert.equal(await downloadDataAsset({ name: "reviews", version: "2" }, workspace, target, downloader()), false);
    assert.deepEqual(server.requests, []);
  });

  it("says which asset is missing from which workspace", async () => {
    await assert.rejects(
      downloadDataAsset({ name: "reviews", version: "9" }, workspace, path.join(tmp, "missing.jsonl"), downloader()),
      (err: unknown) => err instanceof UserError && err.message === "dataset azureml:reviews:9 not found in workspace mlw-llmops-dev",
    );
    assert.ok(!fs.existsSync(path.join(tmp, "missing.jsonl")));
  });

  describe("through llmops run, with DefaultAzureCredential (managed identity)", () => {
    let openAi: FakeOpenAiServer;
    before(async () => {
      openAi = await startFakeOpenAiServer({
        answer: (request: FakeRequest) => {
          const messages = (request.body.messages ?? []) as { role: string; content: string }[];
          return expectedSentiment(messages.at(-1)?.content ?? "");
        },
      });
    });
    after(() => openAi.close());

    it("runs an experiment whose dataset is azureml:<name>:<version>", async () => {
      const root = fs.mkdtempSync(path.join(tmp, "project-"));
      const useCase = writeTemplateUseCase(root, "review_sentiment");
      const experiment = path.join(useCase, "experiment.yaml");
      fs.writeFileSync(experiment, fs.readFileSync(experiment, "utf8").replace("source: reviews.jsonl", "source: azureml:reviews:2"));
      const out = path.join(root, "runs");
      const result = await runLlmops(["run", "--use-case", useCase, "--variants", "default", "--out", out], root, {
        AOAI_API_BASE: openAi.url,
        api_key: "unused",
        SUBSCRIPTION_ID: workspace.subscriptionId,
        RESOURCE_GROUP_NAME: workspace.resourceGroupName,
        WORKSPACE_NAME: workspace.workspaceName,
        LLMOPS_ARM_ENDPOINT: server.url,
        LLMOPS_BLOB_ENDPOINT: server.url,
        IDENTITY_ENDPOINT: `${server.url}/msi/token`,
        IDENTITY_HEADER: server.identityHeader,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /azureml:reviews:2 downloaded from workspace mlw-llmops-dev/);
      const records = fs.readFileSync(path.join(out, "review_sentiment_reviews__classify.variant_0", "records.jsonl"), "utf8").trim().split("\n");
      assert.equal(records.length, reviewRows.length);
      assert.equal(fs.readFileSync(path.join(useCase, ".llmops", "data-assets", "reviews", "2", "reviews.jsonl"), "utf8"), rows);
    });
  });
});
