/** environment/env.yaml read and resolved the way the template's resolve_env_vars does. */
import * as assert from "node:assert/strict";
import { parseEnvYaml, planEnvYaml, resolveEnvYaml } from "../../src/config/envYaml";
import { ConfigError, UserError } from "../../src/core/userError";

const file = "reviews/environment/env.yaml";

describe("environment/env.yaml", () => {
  it("upper-cases keys and writes values as Python's str() does (false → False, 256 → 256)", () => {
    const entries = parseEnvYaml("chunk_size: 1024\nVERBOSE: false\nmodel: gpt-35-turbo\n", file);
    assert.deepEqual(resolveEnvYaml(entries, {}, file), { CHUNK_SIZE: "1024", VERBOSE: "False", MODEL: "gpt-35-turbo" });
  });

  it("lets a variable already set under the key win, then resolves ${VAR} references", () => {
    const entries = parseEnvYaml("DEPLOYMENT_NAME: AOAI\nAZURE_OPENAI_ENDPOINT: ${AOAI_BASE}\n", file);
    assert.deepEqual(resolveEnvYaml(entries, { DEPLOYMENT_NAME: "from-ci", AOAI_BASE: "https://x" }, file), { DEPLOYMENT_NAME: "from-ci", AZURE_OPENAI_ENDPOINT: "https://x" });
  });

  it("refuses an unset reference for a run, naming the key and the variable", () => {
    const entries = parseEnvYaml("AZURE_OPENAI_ENDPOINT: ${AOAI_BASE}\n", file);
    assert.throws(() => resolveEnvYaml(entries, {}, file), (err: unknown) => err instanceof UserError && /AZURE_OPENAI_ENDPOINT needs environment variable AOAI_BASE/.test(err.message));
  });

  it("refuses an empty value, as the template does", () => {
    assert.throws(() => parseEnvYaml('MODEL: ""\n', file), (err: unknown) => err instanceof ConfigError && err.jsonPath === "$.MODEL");
  });

  it("refuses a literal in a secret-looking key without echoing it", () => {
    assert.throws(
      () => parseEnvYaml("AZURE_OPENAI_API_KEY: sk-live-123456\n", file),
      (err: unknown) => err instanceof ConfigError && err.jsonPath === "$.AZURE_OPENAI_API_KEY" && !err.message.includes("sk-live"),
    );
  });

  it("plans secret-looking keys by the variable holding them, never their value", () => {
    const planned = planEnvYaml(parseEnvYaml("AZURE_OPENAI_API_KEY: ${AOAI_KEY}\nMODEL: m\n", file), { AOAI_KEY: "sk-live-1" }, file, "required");
    assert.deepEqual(planned.secrets, { AZURE_OPENAI_API_KEY: "AOAI_KEY" });
    assert.deepEqual(planned.values, { MODEL: "m" });
    assert.ok(!JSON.stringify(planned).includes("sk-live"));
  });

  it("shows an unset non-secret reference as <VAR> in a plan that deploys nothing, and refuses it when deploying", () => {
    const entries = parseEnvYaml("AZURE_OPENAI_ENDPOINT: ${AOAI_BASE}\nAZURE_OPENAI_API_KEY: ${AOAI_KEY}\n", file);
    const planned = planEnvYaml(entries, {}, file, "placeholder");
    assert.deepEqual(planned.values, { AZURE_OPENAI_ENDPOINT: "<AOAI_BASE>" });
    assert.deepEqual(planned.unresolvedVariables, ["AOAI_BASE"]);
    assert.throws(() => planEnvYaml(entries, {}, file, "required"), UserError);
  });
});
