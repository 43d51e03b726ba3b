import assert from "node:assert/strict";
import { readStackSettings } from "../../src/config/stackConfig";
import { ConfigError } from "../../src/core/userError";
import { deploymentConfig, projectsRemovedAfterSuite, plan, stackConfig, webAppEntry } from "../plan/fixtures";

describe("stack config: containerRegistry.login", () => {
  const project = projectsRemovedAfterSuite();

  const settingsOf = (registry: Record<string, unknown>) =>
    readStackSettings({ stack: "dev", stackConfig: stackConfig({ containerRegistry: JSON.stringify(registry) }), stackConfigFile: "Pulumi.dev.yaml", environmentVariables: {} });

  it("defaults to an Entra ID login in the plan", () => {
    assert.equal(settingsOf({ name: "crllmopsdev" }).containerRegistry?.login, undefined);
    assert.equal(plan(project()).azure.containerRegistry.login, "entra");
  });

  it("passes adminUser through to the plan, also when the Web App entry names the same registry's group", () => {
    assert.equal(settingsOf({ name: "crllmopsdev", login: "adminUser" }).containerRegistry?.login, "adminUser");
    const config = deploymentConfig({ webApps: [webAppEntry({ REGISTRY_NAME: "crllmopsdev", REGISTRY_RG_NAME: "rg-registry" })] });
    const result = plan(project(config), { stackConfig: stackConfig({ containerRegistry: JSON.stringify({ name: "crllmopsdev", login: "adminUser" }) }) });
    assert.equal(result.azure.containerRegistry.login, "adminUser");
    assert.equal(result.azure.containerRegistry.resourceGroupName, "rg-registry");
  });

  it("logs in with Entra ID when only the Web App entry names the registry", () => {
    const config = deploymentConfig({ webApps: [webAppEntry({ REGISTRY_NAME: "crwebapp01" })] });
    const result = plan(project(config), { stackConfig: stackConfig({ containerRegistry: undefined }) });
    assert.equal(result.azure.containerRegistry.login, "entra");
  });

  it("rejects any other login mode, naming the choices", () => {
    assert.throws(
      () => settingsOf({ name: "crllmopsdev", login: "password" }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.equal(err.jsonPath, '$.config["llmops:containerRegistry"].login');
        assert.match(err.message, /"entra", "adminUser"/);
        return true;
      },
    );
  });
});
