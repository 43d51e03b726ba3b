import * as assert from "node:assert/strict";
import { UserError } from "../../../src/core/userError";
import { jobConnections } from "../../../src/runs/azureml/jobConnections";

describe("connections of an Azure ML job", () => {
  const specs = [
    { name: "aoai", connection_type: "AzureOpenAIConnection", api_base: "${AOAI_API_BASE}", api_version: "2024-10-21", auth_mode: "key", api_key: "${AOAI_API_KEY}" },
    { name: "Tools Custom", connection_type: "CustomConnection", configs: { region: "${REGION}" }, secrets: { token: "${env:TOOLS_TOKEN}" } },
  ];

  it("passes non-secret variables by value and names the Key Vault secret of every secret one, never its value", () => {
    const result = jobConnections(specs, { AOAI_API_BASE: "https://aoai.example", AOAI_API_KEY: "sk-local-only", TOOLS_TOKEN: "t0ken" }, "experiment.yaml");
    assert.deepEqual(result.environmentVariables, { AOAI_API_BASE: "https://aoai.example" });
    assert.deepEqual(result.secretVariables, { AOAI_API_KEY: "aoai-api-key", TOOLS_TOKEN: "tools-custom-api-key" });
    assert.ok(!JSON.stringify(result).includes("sk-local-only"));
  });

  it("fails naming the connection, field and variable when a non-secret variable is unset", () => {
    assert.throws(() => jobConnections(specs.slice(0, 1), {}, "experiment.yaml"), (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.match(err.message, /experiment\.yaml: connection 'aoai' field api_base needs environment variable AOAI_API_BASE/);
      return true;
    });
  });
});
