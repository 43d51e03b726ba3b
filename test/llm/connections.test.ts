import assert from "node:assert/strict";
import { resolveConnections } from "../../src/llm/connections";
import { ConfigError, UserError } from "../../src/core/userError";

const env = { AOAI_API_BASE: "https://contoso.openai.azure.com", AOAI_API_KEY: "secret-aoai-VALUE", OPENAI_KEY: "sk-secret-VALUE", RESOURCE: "contoso" };

describe("resolveConnections", () => {
  it("resolves an Azure OpenAI connection with secrets from the environment", () => {
    const connections = resolveConnections(
      [{ name: "aoai", connection_type: "AzureOpenAIConnection", api_base: "${AOAI_API_BASE}", api_version: "2024-06-01", api_key: "${env:AOAI_API_KEY}" }],
      env,
    );
    assert.deepEqual(connections.aoai, {
      type: "azure_open_ai",
      name: "aoai",
      apiBase: "https://contoso.openai.azure.com",
      apiVersion: "2024-06-01",
      authMode: "key",
      apiKey: "secret-aoai-VALUE",
    });
  });

  it("substitutes references inside plain settings and needs no key for meid_token", () => {
    const { aoai } = resolveConnections(
      [{ name: "aoai", type: "azure_open_ai", api_base: "https://${RESOURCE}.openai.azure.com", api_version: "2024-06-01", auth_mode: "meid_token" }],
      env,
    );
    assert.equal(aoai.type === "azure_open_ai" && aoai.apiBase, "https://contoso.openai.azure.com");
    assert.equal(aoai.type === "azure_open_ai" && aoai.apiKey, undefined);
  });

  it("resolves OpenAI and custom connections", () => {
    const connections = resolveConnections(
      [
        { name: "oai", connection_type: "OpenAIConnection", api_key: "${OPENAI_KEY}", base_url: "http://localhost:11434/v1" },
        { name: "search", connection_type: "CustomConnection", configs: { endpoint: "https://${RESOURCE}.search" }, secrets: { key: "${OPENAI_KEY}" } },
      ],
      env,
    );
    assert.deepEqual(connections.oai, { type: "open_ai", name: "oai", apiKey: "sk-secret-VALUE", baseUrl: "http://localhost:11434/v1", organization: undefined });
    assert.deepEqual(connections.search, { type: "custom", name: "search", configs: { endpoint: "https://contoso.search" }, secrets: { key: "sk-secret-VALUE" } });
  });

  it("reads an optional client-side quota", () => {
    const { aoai } = resolveConnections(
      [{ name: "aoai", connection_type: "AzureOpenAIConnection", api_base: "b", api_version: "v", api_key: "${AOAI_API_KEY}", requests_per_minute: 60, tokens_per_minute: "30000" }],
      env,
    );
    assert.deepEqual(aoai.type === "azure_open_ai" && aoai.rateLimits, { requestsPerMinute: 60, tokensPerMinute: 30000 });
    assert.throws(
      () => resolveConnections([{ name: "o", connection_type: "OpenAIConnection", tokens_per_minute: "lots" }], env),
      /connections\[0\]\.tokens_per_minute: expected a number > 0, found 'lots'/,
    );
  });

  it("names a missing environment variable without printing any value", () => {
    assert.throws(
      () => resolveConnections([{ name: "aoai", connection_type: "AzureOpenAIConnection", api_base: "${AOAI_API_BASE}", api_version: "v", api_key: "${MISSING_KEY}" }], env, "experiment.yaml"),
      (err: unknown) => {
        assert.ok(err instanceof UserError);
        assert.match(err.message, /experiment\.yaml: \$\.connections\[0\]\.api_key needs environment variable MISSING_KEY, which is not set/);
        assert.ok(!err.message.includes("contoso"));
        return true;
      },
    );
  });

  it("refuses a literal secret without echoing it", () => {
    assert.throws(
      () => resolveConnections([{ name: "aoai", connection_type: "AzureOpenAIConnection", api_base: "x", api_version: "v", api_key: "plain-text-SECRET" }], env, "experiment.yaml"),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.jsonPath, "$.connections[0].api_key");
        assert.ok(!err.message.includes("plain-text-SECRET"));
        return true;
      },
    );
    assert.throws(() => resolveConnections([{ name: "c", connection_type: "CustomConnection", secrets: { token: "literal-SECRET" } }], env), (err: unknown) => {
      assert.ok(err instanceof ConfigError && !err.message.includes("literal-SECRET"));
      return true;
    });
  });

  it("reports unknown types, missing fields, bad auth modes and duplicate names", () => {
    assert.throws(() => resolveConnections([{ name: "x", connection_type: "Pinecone" }], env), /connections\[0\]\.connection_type: expected one of/);
    assert.throws(() => resolveConnections([{ name: "x", connection_type: "AzureOpenAIConnection", api_base: "b", api_key: "${AOAI_API_KEY}" }], env), /api_version: expected a value/);
    assert.throws(() => resolveConnections([{ name: "x", connection_type: "AzureOpenAIConnection", api_base: "b", api_version: "v", auth_mode: "password" }], env), /auth_mode: expected key or meid_token/);
    assert.throws(() => resolveConnections([{ name: "x", connection_type: "AzureOpenAIConnection", api_base: "b", api_version: "v" }], env), /api_key: expected a reference/);
    assert.throws(
      () => resolveConnections([{ name: "x", connection_type: "OpenAIConnection" }, { name: "x", connection_type: "OpenAIConnection" }], env),
      /connections\[1\]\.name: expected a unique connection name/,
    );
  });
});
