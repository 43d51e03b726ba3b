import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startFakeArmServer, type FakeArmServer } from "../support/fakeArmServer";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fakeOpenAiServer";
import { llmopsCli, repositoryRoot, startServe, type ServeProcess } from "../support/llmopsServe";
import { sampleFlowDir } from "../serve/fixtures";

const workspace = { subscriptionId: "00000000-0000-0000-0000-000000000001", resourceGroupName: "rg-llmops", workspaceName: "mlw-llmops" };
const prtConfigOverride = [
  `deployment.subscription_id=${workspace.subscriptionId}`,
  `deployment.resource_group=${workspace.resourceGroupName}`,
  `deployment.workspace_name=${workspace.workspaceName}`,
  "deployment.endpoint_name=ticket-ep",
  "deployment.deployment_name=blue",
].join(",");
const ticket = { ticket_text: "Nothing loads, error 503 for all of us since 9:00", customer_tier: "enterprise" };
const classification = JSON.stringify({ category: "outage", confidence: 0.97 });

describe("llmops serve (the CLI, connections where it runs)", function () {
  this.timeout(60000);
  let openAi: FakeOpenAiServer;
  let arm: FakeArmServer;
  const processes: ServeProcess[] = [];
  const modelKey = "model-key-from-the-workspace-1234";

  before(async () => {
    openAi = await startFakeOpenAiServer({ apiKey: modelKey, answer: () => classification });
  });
  beforeEach(async () => {
    arm = await startFakeArmServer();
    openAi.requests.length = 0;
  });
  afterEach(async () => {
    for (const server of processes.splice(0)) await server.stop("SIGKILL");
    await arm.close();
  });
  after(async () => openAi.close());

  async function serve(env: Record<string, string>, args: string[] = []): Promise<ServeProcess> {
    const server = await startServe({ args: ["--flow", sampleFlowDir, ...args], env });
    processes.push(server);
    return server;
  }

  async function score(server: ServeProcess): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${server.url}/score`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ticket) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const azureMlEnv = (): Record<string, string> => ({
    PRT_CONFIG_OVERRIDE: prtConfigOverride,
    LLMOPS_ARM_ENDPOINT: arm.baseUrl,
    IDENTITY_ENDPOINT: `${arm.baseUrl}/msi/token`,
    IDENTITY_HEADER: arm.identityHeader,
  });

  it("on Azure ML reads the workspace connection's key through ARM with the managed identity, then serves and stops on SIGTERM", async () => {
    arm.addWorkspaceConnection(workspace, "aoai", {
      category: "AzureOpenAI",
      authType: "ApiKey",
      target: openAi.url,
      credentials: { key: modelKey },
      metadata: { ApiType: "azure", ApiVersion: "2024-10-21" },
    });
    const server = await serve(azureMlEnv());
    const { status, body } = await score(server);
    assert.equal(status, 200);
    assert.equal(body.category, "outage");
    assert.equal(openAi.requests[0].headers["api-key"], modelKey);
    assert.equal(openAi.requests[0].query["api-version"], "2024-10-21");
    const listSecrets = arm.requests.filter((request) => request.path.endsWith("/connections/aoai/listsecrets"));
    assert.equal(listSecrets.length, 1);
    assert.equal(listSecrets[0].method, "POST");
    assert.deepEqual([...arm.bearerTokens], [arm.msiToken]);
    assert.equal(await server.stop(), 0);
    assert.ok(!server.stdout().includes(modelKey) && !server.stderr().includes(modelKey), "the key reached the logs");
    for (const line of server.stdout().trim().split("\n")) JSON.parse(line);
  });

  it("an Entra ID (AAD) workspace connection stays keyless: the model gets the identity's token", async () => {
    const keyless = await startFakeOpenAiServer({ bearerToken: arm.msiToken, answer: () => classification });
    try {
      arm.addWorkspaceConnection(workspace, "aoai", { category: "AzureOpenAI", authType: "AAD", target: keyless.url, metadata: { ApiVersion: "2024-10-21" } });
      const server = await serve(azureMlEnv());
      assert.equal((await score(server)).status, 200);
      assert.equal(keyless.requests[0].headers.authorization, `Bearer ${arm.msiToken}`);
      assert.equal(keyless.requests[0].headers["api-key"], undefined);
    } finally {
      await keyless.close();
    }
  });

  it("honours prompt flow's overrides: a variable named like the connection renames it, <NAME>_<FIELD> replaces a field", async () => {
    arm.addWorkspaceConnection(workspace, "aoai-eastus", {
      category: "AzureOpenAI",
      authType: "ApiKey",
      target: "http://127.0.0.1:9",
      credentials: { key: modelKey },
      metadata: { ApiVersion: "2024-10-21" },
    });
    const server = await serve({ ...azureMlEnv(), aoai: "aoai-eastus", AOAI_API_BASE: openAi.url });
    assert.equal((await score(server)).status, 200);
    assert.ok(arm.requests.some((request) => request.path.endsWith("/connections/aoai-eastus/listsecrets")));
    assert.equal(openAi.requests[0].headers["api-key"], modelKey);
  });

  it("a connection given as JSON in its variable is used without asking the workspace", async () => {
    const json = JSON.stringify({ properties: { category: "AzureOpenAI", authType: "ApiKey", target: openAi.url, credentials: { key: modelKey }, metadata: { ApiVersion: "2024-10-21" } } });
    const server = await serve({ ...azureMlEnv(), aoai: json });
    assert.equal((await score(server)).status, 200);
    assert.equal(arm.requests.filter((request) => request.path.includes("/connections/")).length, 0);
  });

  it("on the Web App reads the connection from app settings (the key as App Service resolved its Key Vault reference)", async () => {
    const server = await serve({
      LLMOPS_CONNECTIONS: "aoai",
      AOAI_CONNECTION_TYPE: "azure_open_ai",
      AOAI_API_BASE: openAi.url,
      AOAI_API_VERSION: "2024-10-21",
      AOAI_AUTH_MODE: "key",
      AOAI_API_KEY: modelKey,
    });
    assert.equal((await score(server)).status, 200);
    assert.equal(openAi.requests[0].headers["api-key"], modelKey);
  });

  it("locally reads --connections (an experiment.yaml), secrets from the environment", async () => {
    const server = await serve({ AOAI_API_BASE: openAi.url, AOAI_API_KEY: modelKey }, ["--connections", path.join(repositoryRoot, "flows/experiment.yaml")]);
    assert.equal((await score(server)).status, 200);
    assert.equal(openAi.requests[0].headers["api-key"], modelKey);
  });

  function runSync(args: string[], env: Record<string, string>): { status: number | null; stderr: string } {
    const result = spawnSync(process.execPath, [llmopsCli, "serve", "--host", "127.0.0.1", "--port", "0", ...args], {
      cwd: repositoryRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, IDENTITY_HEADER: process.env.IDENTITY_HEADER, ...env },
      encoding: "utf8",
      timeout: 30000,
    });
    return { status: result.status, stderr: result.stderr };
  }

  it("refuses to start (exit 2, one line, no stack) when a connection is missing, the identity is refused or the flow is invalid", async () => {
    const missing = runSync(["--flow", sampleFlowDir], {});
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /connection 'aoai'.*--connections/);
    assert.doesNotMatch(missing.stderr, /\n\s+at /);

    arm.injectFault({ kind: "status", status: 403, code: "AuthorizationFailed", pathIncludes: "listsecrets" });
    const refused = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      // Async spawn: the fake ARM server in this process must keep answering.
      const child = spawn(process.execPath, [llmopsCli, "serve", "--host", "127.0.0.1", "--port", "0", "--flow", sampleFlowDir], {
        cwd: repositoryRoot,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...azureMlEnv() },
      });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("close", (status) => resolve({ status, stderr }));
    });
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /Workspace Connection Secrets Reader/);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "serve-bad-flow-"));
    fs.writeFileSync(path.join(dir, "flow.dag.yaml"), "inputs: {x: {type: string}}\noutputs: {y: {reference: '${nowhere.output}'}}\nnodes: []\n");
    const invalid = runSync(["--flow", dir], {});
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(invalid.status, 2);
    assert.match(invalid.stderr, /flow\.dag\.yaml/);
  });
});
