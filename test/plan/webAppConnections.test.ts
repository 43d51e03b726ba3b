import assert from "node:assert/strict";
import { webAppSettings } from "../../src/infra/webAppSpecs";
import { ConfigError } from "../../src/core/userError";
import { deploymentConfig, projectsRemovedAfterSuite, managedEntry, plan, stackConfig, webAppEntry } from "./fixtures";

const apiBase = "https://aoai-test.openai.azure.com/";
const plantedKey = "planted-secret-key-0123456789";

describe("Web App connections", () => {
  const project = projectsRemovedAfterSuite();

  const prodConfig = () =>
    deploymentConfig({
      managed: [managedEntry(), managedEntry({ ENV_NAME: "prod", ENDPOINT_NAME: "ticket-endpoint-prod" })],
      webApps: [webAppEntry(), webAppEntry({ ENV_NAME: "prod", APP_PLAN_NAME: "plan-ticket-prod", WEB_APP_NAME: "app-ticket-prod", USER_MANAGED_ID: "id-ticket-prod" })],
    });
  const prodStack = () => stackConfig({ environment: "prod", resourceGroupName: "rg-llmops-prod", openAi: JSON.stringify({ name: "aoai-prod" }) });

  it("dev (key auth): non-secret settings resolved from the environment, the key only as a Key Vault reference", () => {
    const p = project();
    const result = plan(p, { environmentVariables: { AOAI_API_BASE: apiBase, AOAI_API_KEY: plantedKey } });
    const settings = webAppSettings(result.webApp!, "kv-llmops-dev", "client-id");
    const byName = Object.fromEntries(settings.map((s) => [s.name, s.value]));
    assert.equal(byName.LLMOPS_CONNECTIONS, "aoai");
    assert.equal(byName.AOAI_CONNECTION_TYPE, "azure_open_ai");
    assert.equal(byName.AOAI_API_BASE, apiBase);
    assert.equal(byName.AOAI_API_VERSION, "2024-10-21");
    assert.equal(byName.AOAI_AUTH_MODE, "key");
    assert.equal(byName.AOAI_API_KEY, "@Microsoft.KeyVault(SecretUri=https://kv-llmops-dev.vault.azure.net/secrets/aoai-api-key)");
    assert.ok(!JSON.stringify(result).includes(plantedKey), "the key's value is nowhere in the plan");
    assert.ok(!JSON.stringify(settings).includes(plantedKey), "nor in the app settings");
  });

  it("prod (meid_token overlay): no key setting, and the Web App identity may call the OpenAI account", () => {
    const p = project(prodConfig());
    const result = plan(p, { stack: "prod", stackConfig: prodStack() });
    assert.equal(result.webApp!.appSettings.AOAI_AUTH_MODE, "meid_token");
    assert.deepEqual(result.webApp!.connectionSecrets, []);
    const names = webAppSettings(result.webApp!, "kv", "client-id").map((s) => s.name);
    assert.ok(!names.includes("AOAI_API_KEY"));
    assert.ok(names.includes("AZURE_CLIENT_ID"));
    assert.ok(result.roleAssignments.some((r) => r.principal === "webapp" && r.roleName === "Cognitive Services OpenAI User"));
  });

  it("refuses an unset variable when deploying, naming it", () => {
    const p = project();
    assert.throws(
      () => plan(p, { environmentVariables: {}, connectionVariables: "required" }),
      (err: unknown) => err instanceof ConfigError && err.jsonPath === "$.connections[0].api_base" && err.message.includes("AOAI_API_BASE") && err.file.endsWith("experiment.yaml"),
    );
  });

  it("shows an unset variable as a visible placeholder with a notice when planning only", () => {
    const p = project();
    const result = plan(p, { environmentVariables: {} });
    assert.equal(result.webApp!.appSettings.AOAI_API_BASE, "<AOAI_API_BASE>");
    assert.ok(result.notices?.some((n) => n.includes("<AOAI_API_BASE>") && n.includes("pulumi up")));
  });

  it("refuses a custom connection, a name the experiment does not declare, and a missing experiment file", () => {
    const p = project();
    p.writeFile(
      "flows/experiment.yaml",
      "name: classifier\nflow: classifier\nconnections:\n  - name: aoai\n    connection_type: CustomConnection\n    configs:\n      endpoint: https://x\n" +
        "datasets:\n  - name: bulk\n    source: experiment-rows.jsonl\n    mappings:\n      ticket: ${data.ticket}\n",
    );
    assert.throws(() => plan(p), (err: unknown) => err instanceof ConfigError && err.jsonPath === "$.connections[0].connection_type" && /not supported for the Web App/.test(err.message));

    const other = project(deploymentConfig({ webApps: [webAppEntry({ CONNECTION_NAMES: ["other"] })] }));
    assert.throws(() => plan(other), (err: unknown) => err instanceof ConfigError && err.jsonPath === "$.webapp_endpoint[0].CONNECTION_NAMES[0]");

    const missing = project();
    assert.throws(
      () => plan(missing, { stackConfig: stackConfig({ experimentPath: "flows/nope.yaml" }) }),
      (err: unknown) => err instanceof ConfigError && err.jsonPath === '$.config["llmops:experimentPath"]',
    );
  });

  it("reads no experiment when the Web App names no connection", () => {
    const p = project(deploymentConfig({ webApps: [webAppEntry({ CONNECTION_NAMES: [] })] }));
    p.writeFile("flows/experiment.yaml", "not: [valid");
    const result = plan(p);
    assert.equal(result.webApp!.appSettings.LLMOPS_CONNECTIONS, undefined);
    assert.deepEqual(result.webApp!.connectionSecrets, []);
  });
});
