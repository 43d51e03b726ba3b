import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readStackSettings, type StackConfigInput } from "../../src/config/stackConfig";
import { llmopsSettings, readStackConfigFile } from "../../src/config/stackConfigFile";
import { ConfigError } from "../../src/core/userError";
import { stackConfig } from "../plan/fixtures";

const projectRoot = path.resolve(__dirname, "../..");

function input(overrides: Partial<StackConfigInput> = {}): StackConfigInput {
  return { stack: "dev", stackConfig: stackConfig(), stackConfigFile: "Pulumi.dev.yaml", environmentVariables: {}, ...overrides };
}

function rejects(config: Record<string, string>, path: string, words: string[], env: Record<string, string> = {}): void {
  assert.throws(
    () => readStackSettings(input({ stackConfig: config, environmentVariables: env })),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.equal(err.jsonPath, path, err.message);
      for (const word of words) assert.ok(err.message.includes(word), `"${word}" missing from: ${err.message}`);
      return true;
    },
  );
}

describe("stack config", () => {
  it("applies defaults for optional settings", () => {
    const settings = readStackSettings(input({ stackConfig: stackConfig({ flowPath: undefined, environment: undefined }) }));
    assert.equal(settings.environment, "dev", "environment defaults to the stack name");
    assert.equal(settings.flowPath, "flows/support_ticket_classifier");
    assert.equal(settings.deploymentConfigPath, "config/deployment_config.json");
    assert.equal(settings.keyVault.resourceGroupName, "rg-llmops-dev");
    assert.equal(settings.keyVault.authorization, "rbac");
    assert.equal(settings.containerRegistry?.resourceGroupName, "rg-llmops-dev");
    assert.equal(settings.datasets, undefined, "undefined means the flows/data/*.jsonl default");
    assert.deepEqual(settings.tags, {});
  });

  it("decodes structured values Pulumi passes as JSON text", () => {
    const settings = readStackSettings(
      input({
        stackConfig: stackConfig({
          keyVault: JSON.stringify({ name: "kv-shared", resourceGroupName: "rg-shared", authorization: "accessPolicy", tenantId: "11111111-2222-3333-4444-555555555555" }),
          openAi: JSON.stringify({ name: "aoai-dev" }),
          datasets: JSON.stringify(["data/a.jsonl", { path: "data/b.jsonl", name: "b_set", description: "B" }]),
          tags: JSON.stringify({ team: "ml" }),
        }),
      }),
    );
    assert.deepEqual(settings.keyVault, {
      name: "kv-shared",
      resourceGroupName: "rg-shared",
      authorization: "accessPolicy",
      tenantId: "11111111-2222-3333-4444-555555555555",
    });
    assert.deepEqual(settings.openAi, { name: "aoai-dev", resourceGroupName: "rg-llmops-dev" });
    assert.deepEqual(settings.datasets, [{ path: "data/a.jsonl" }, { path: "data/b.jsonl", name: "b_set", description: "B" }]);
    assert.deepEqual(settings.tags, { team: "ml" });
  });

  it("lets RESOURCE_GROUP_NAME, WORKSPACE_NAME and KEY_VAULT_NAME override the stack config, as CI sets them", () => {
    const settings = readStackSettings(
      input({ environmentVariables: { RESOURCE_GROUP_NAME: "rg-from-ci", WORKSPACE_NAME: "mlw-from-ci", KEY_VAULT_NAME: "kv-from-ci" } }),
    );
    assert.equal(settings.resourceGroupName, "rg-from-ci");
    assert.equal(settings.workspaceName, "mlw-from-ci");
    assert.equal(settings.keyVault.name, "kv-from-ci");
    assert.equal(settings.keyVault.resourceGroupName, "rg-from-ci", "the vault follows the overridden group unless set");
  });

  it("ignores empty override variables (unset repository variables arrive as empty strings)", () => {
    const settings = readStackSettings(input({ environmentVariables: { RESOURCE_GROUP_NAME: "", KEY_VAULT_NAME: "" } }));
    assert.equal(settings.resourceGroupName, "rg-llmops-dev");
    assert.equal(settings.keyVault.name, "kv-llmops-dev");
  });

  it("rejects an invalid override with the variable's name", () => {
    rejects(stackConfig(), "$env.KEY_VAULT_NAME", ["Key Vault name", '"kv"'], { KEY_VAULT_NAME: "kv" });
  });

  it("falls back to ARM_SUBSCRIPTION_ID when the stack has no subscriptionId", () => {
    const settings = readStackSettings(
      input({
        stackConfig: stackConfig({ subscriptionId: undefined }),
        environmentVariables: { ARM_SUBSCRIPTION_ID: "99999999-8888-7777-6666-555555555555" },
      }),
    );
    assert.equal(settings.subscriptionId, "99999999-8888-7777-6666-555555555555");
  });

  it("lets the CLI's --config win over llmops:deploymentConfigPath", () => {
    const settings = readStackSettings(
      input({ stackConfig: stackConfig({ deploymentConfigPath: "config/a.json" }), deploymentConfigPath: "config/b.json" }),
    );
    assert.equal(settings.deploymentConfigPath, "config/b.json");
  });

  const cfg = (key: string): string => `$.config["llmops:${key}"]`;
  it("rejects a missing subscription", () => rejects(stackConfig({ subscriptionId: undefined }), cfg("subscriptionId"), ["ARM_SUBSCRIPTION_ID", "nothing"]));
  it("rejects a malformed subscription ID", () => rejects(stackConfig({ subscriptionId: "my-sub" }), cfg("subscriptionId"), ["GUID"]));
  it("rejects a missing location", () => rejects(stackConfig({ location: undefined }), cfg("location"), ["Azure region", "required"]));
  it("rejects a location with spaces", () => rejects(stackConfig({ location: "West Europe" }), cfg("location"), ["westeurope"]));
  it("rejects a Key Vault name over 24 characters", () =>
    rejects(stackConfig({ keyVault: JSON.stringify({ name: "kv-" + "x".repeat(22) }) }), `${cfg("keyVault")}.name`, ["3-24"]));
  it("rejects an unknown Key Vault authorization", () =>
    rejects(stackConfig({ keyVault: JSON.stringify({ name: "kv-llmops", authorization: "policy" }) }), `${cfg("keyVault")}.authorization`, ['"rbac", "accessPolicy"']));
  it("rejects a registry name with hyphens", () =>
    rejects(stackConfig({ containerRegistry: JSON.stringify({ name: "cr-llmops" }) }), `${cfg("containerRegistry")}.name`, ["5-50 letters or digits"]));
  it("rejects a workspace name of two characters", () => rejects(stackConfig({ workspaceName: "ws" }), cfg("workspaceName"), ["3-33"]));
  it("rejects a structured value that is not JSON", () => rejects(stackConfig({ keyVault: "kv-llmops" }), cfg("keyVault"), ["structured value"]));
  it("rejects an unknown llmops key and suggests the right one", () =>
    rejects({ ...stackConfig(), workspacename: "x" }, cfg("workspacename"), ['did you mean "llmops:workspaceName"']));

  describe("Pulumi.<stack>.yaml files", () => {
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-stack-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    for (const stack of ["dev", "prod"]) {
      it(`ships a valid Pulumi.${stack}.yaml with its schema on the first line`, () => {
        const file = path.join(projectRoot, `Pulumi.${stack}.yaml`);
        const firstLine = fs.readFileSync(file, "utf8").split("\n")[0];
        assert.equal(firstLine, "# yaml-language-server: $schema=./config/schema/stack-config.schema.json");
        const values = llmopsSettings(readStackConfigFile(projectRoot, stack));
        const settings = readStackSettings(input({ stack, stackConfig: values, stackConfigFile: `Pulumi.${stack}.yaml` }));
        assert.equal(settings.environment, stack);
        assert.match(settings.subscriptionId, /^[0-9a-f-]{36}$/);
      });
    }

    it("reads values the way Pulumi passes them: namespace stripped, structured values as JSON, other namespaces ignored", () => {
      const file = path.join(dir, "Pulumi.test.yaml");
      fs.writeFileSync(
        file,
        [
          "config:",
          "  azure-native:location: westeurope",
          "  llmops:location: westeurope",
          "  llmops:resourceGroupName: rg-a",
          "  llmops:workspaceName: mlw-a",
          "  llmops:keyVault:",
          "    name: kv-a-01",
          "  llmops:tags:",
          "    team: ml",
          "",
        ].join("\n"),
      );
      assert.deepEqual(llmopsSettings(readStackConfigFile(dir, "test")), {
        location: "westeurope",
        resourceGroupName: "rg-a",
        workspaceName: "mlw-a",
        keyVault: '{"name":"kv-a-01"}',
        tags: '{"team":"ml"}',
      });
    });

    it("validates the YAML file as a whole", () => {
      const file = path.join(dir, "Pulumi.bad.yaml");
      fs.writeFileSync(file, "config:\n  llmops:location: westeurope\n  llmops:keyVault:\n    name: kv-a-01\n    sku: standard\n");
      assert.throws(
        () => readStackSettings(input({ stack: "bad", stackConfig: llmopsSettings(readStackConfigFile(dir, "bad")), stackConfigFile: "Pulumi.bad.yaml" })),
        (err: unknown) => err instanceof ConfigError && err.file === "Pulumi.bad.yaml" && /llmops:(resourceGroupName|keyVault)/.test(err.jsonPath),
      );
    });
  });
});
