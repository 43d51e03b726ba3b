import assert from "node:assert/strict";
import { connectionFromWorkspace } from "../../src/azure/workspaceConnections";
import { UserError } from "../../src/core/userError";
import { resolveServingConnections, servingHostOf } from "../../src/serve/servingConnections";

describe("serve/servingConnections", () => {
  it("tells Azure ML (PRT_CONFIG_OVERRIDE or AML_DEPLOYMENT_RESOURCE_ID), the Web App and local runs apart", () => {
    const override = "deployment.subscription_id=sub,deployment.resource_group=rg,deployment.workspace_name=ws,deployment.endpoint_name=ep,deployment.deployment_name=blue";
    assert.deepEqual(servingHostOf({ PRT_CONFIG_OVERRIDE: override }), {
      kind: "azureml",
      workspace: { subscriptionId: "sub", resourceGroupName: "rg", workspaceName: "ws" },
      deploymentId: "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/onlineEndpoints/ep/deployments/blue",
    });
    const id = "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w/onlineEndpoints/e/deployments/d";
    assert.deepEqual(servingHostOf({ AML_DEPLOYMENT_RESOURCE_ID: id }), { kind: "azureml", workspace: { subscriptionId: "s", resourceGroupName: "g", workspaceName: "w" }, deploymentId: id });
    assert.deepEqual(servingHostOf({ LLMOPS_CONNECTIONS: "aoai" }), { kind: "appSettings" });
    assert.deepEqual(servingHostOf({}), { kind: "local" });
    assert.throws(() => servingHostOf({ PRT_CONFIG_OVERRIDE: "deployment.subscription_id=sub" }), UserError);
  });

  it("converts workspace connections as prompt flow does: Azure OpenAI by key or Entra ID, OpenAI, custom keys", () => {
    assert.deepEqual(connectionFromWorkspace("aoai", { category: "AzureOpenAI", authType: "ApiKey", target: "https://x.openai.azure.com/", credentials: { key: "k" }, metadata: { apiversion: "2024-10-21" } }), {
      type: "azure_open_ai",
      name: "aoai",
      apiBase: "https://x.openai.azure.com/",
      apiVersion: "2024-10-21",
      authMode: "key",
      apiKey: "k",
    });
    assert.deepEqual(connectionFromWorkspace("aad", { category: "AzureOpenAI", authType: "AAD", target: "https://x" }), {
      type: "azure_open_ai",
      name: "aad",
      apiBase: "https://x",
      apiVersion: "2024-02-01",
      authMode: "meid_token",
    });
    assert.deepEqual(connectionFromWorkspace("oai", { category: "OpenAI", authType: "ApiKey", credentials: { key: "k" }, metadata: { organization: "org" } }), {
      type: "open_ai",
      name: "oai",
      apiKey: "k",
      organization: "org",
    });
    assert.deepEqual(
      connectionFromWorkspace("c", { category: "CustomKeys", authType: "CustomKeys", credentials: { keys: { token: "t" } }, metadata: { endpoint: "e", "azureml.flow.connection_type": "Custom" } }),
      { type: "custom", name: "c", configs: { endpoint: "e" }, secrets: { token: "t" } },
    );
    assert.throws(() => connectionFromWorkspace("s", { category: "CognitiveSearch", authType: "ApiKey" }), /category 'CognitiveSearch'/);
    assert.throws(() => connectionFromWorkspace("n", { category: "AzureOpenAI", authType: "None", target: "https://x" }), /auth type 'none'/);
  });

  it("a field override turning a key connection keyless drops the key; a key connection without a key is refused", async () => {
    const file = { aoai: { type: "azure_open_ai" as const, name: "aoai", apiBase: "https://a", apiVersion: "v", authMode: "key" as const, apiKey: "k" } };
    const keyless = await resolveServingConnections({ names: ["aoai"], host: { kind: "local" }, env: { AOAI_AUTH_MODE: "meid_token" }, file });
    assert.equal(keyless.aoai.type === "azure_open_ai" ? keyless.aoai.apiKey : "custom", undefined);
    await assert.rejects(
      resolveServingConnections({ names: ["aoai"], host: { kind: "appSettings" }, env: { AOAI_CONNECTION_TYPE: "azure_open_ai", AOAI_API_BASE: "https://a", AOAI_API_VERSION: "v" } }),
      /AOAI_API_KEY/,
    );
    await assert.rejects(resolveServingConnections({ names: ["aoai"], host: { kind: "appSettings" }, env: {} }), /AOAI_CONNECTION_TYPE/);
  });
});
