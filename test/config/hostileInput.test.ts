import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadExperiment } from "../../src/config/experiment";
import { terminalText } from "../../src/cli/terminalText";
import { formatProgressBar, formatProgressLine } from "../../src/cli/progress/formatProgress";
import { markdownCell } from "../../src/evaluation/report/escape";
import { formatRunTable } from "../../src/runs/runTable";
import { parseDeploymentConfig } from "../../src/config/loadDeploymentConfig";
import { readStackSettings } from "../../src/config/stackConfig";
import { readStackConfigFile } from "../../src/config/stackConfigFile";
import { validateAgainstSchema } from "../../src/config/schemaValidation";
import { ConfigError } from "../../src/core/userError";
import { resolveConnections } from "../../src/llm/connections";
import { readStackDeployment } from "../../src/evaluation/phases/stackDeployment";
import { deploymentConfig, managedEntry, plan, projectsRemovedAfterSuite, stackConfig, webAppEntry } from "../plan/fixtures";

const file = "config/deployment_config.json";
type Entry = Record<string, unknown>;

function configWith(managed: Entry = {}, webApp: Entry = {}): string {
  return JSON.stringify(deploymentConfig({ managed: [managedEntry(managed)], webApps: [webAppEntry(webApp)] }));
}

function refusal(action: () => unknown): ConfigError {
  try {
    action();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.ok(!err.message.includes("\n"), `one line: ${err.message}`);
    return err;
  }
  assert.fail("expected a refusal");
}

describe("hostile input: the plan refuses it in one line", () => {
  describe("the secret guard", () => {
    const literal = "sk-proj-abcdefghijklmnop0123456789";
    const names = ["AZURE_OPENAI_KEY", "AOAI_KEY", "DB_PWD", "PRIVATE_KEY", "STORAGE_ACCOUNT_KEY", "api-key", "API_KEY_PRIMARY", "clientSecret", "GITHUB_TOKEN", "SP_CREDENTIALS", "DB_PASSWORD"];
    for (const name of names) {
      it(`refuses a literal under ${name} on endpoints and Web Apps, without echoing it`, () => {
        // (A Web App's AOAI_* names are the "aoai" connection's own settings: refused as reserved before this.)
        const cases = [[{ ENVIRONMENT_VARIABLES: { [name]: "plain-value-123" } }, {}, "azure_managed_endpoint"]] as [Entry, Entry, string][];
        if (!name.startsWith("AOAI_")) cases.push([{}, { ENVIRONMENT_VARIABLES: { [name]: "plain-value-123" } }, "webapp_endpoint"]);
        for (const [managed, webApp, where] of cases) {
          const err = refusal(() => parseDeploymentConfig(configWith(managed, webApp), file));
          assert.ok(err.jsonPath.startsWith(`$.${where}[0].ENVIRONMENT_VARIABLES`), err.message);
          assert.ok(!err.message.includes("plain-value-123"), err.message);
          assert.match(err.message, /no secret in plain text/);
        }
      });
    }

    const shaped: [string, string, string][] = [
      ["a Key Vault reference followed by a literal", `@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/x)${literal}`, "abcdefghijklmnop"],
      ["URL user-info and an api-key query parameter", "https://user:hunter22@aoai.example.com/?api-key=0123456789abcdef", "hunter22"],
      ["a storage connection string", "DefaultEndpointsProtocol=https;AccountName=st;AccountKey=c2VjcmV0c2VjcmV0c2VjcmV0;EndpointSuffix=core.windows.net", "c2VjcmV0"],
      ["a SAS connection string", "Endpoint=sb://x.servicebus.windows.net/;SharedAccessSignature=sv=2020&sig=abcdefabcdef", "abcdefabcdef"],
      ["an sk- key under an innocent name", literal, "abcdefghijklmnop"],
      ["a JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2lnbmF0dXJl", "eyJzdWIiOiIx"],
      ["a URL with ?code=", "https://func.azurewebsites.net/api/score?code=abcdefghijklmnop", "abcdefghijklmnop"],
    ];
    for (const [what, value, secret] of shaped) {
      it(`refuses ${what} under any name`, () => {
        const err = refusal(() => parseDeploymentConfig(configWith({ ENVIRONMENT_VARIABLES: { SOME_SETTING: value } }), file));
        assert.equal(err.jsonPath, "$.azure_managed_endpoint[0].ENVIRONMENT_VARIABLES.SOME_SETTING");
        assert.ok(!err.message.includes(secret), `echoed: ${err.message}`);
      });
    }

    it("accepts exact Key Vault and ${VAR} references, and ordinary settings", () => {
      assert.doesNotThrow(() =>
        parseDeploymentConfig(
          configWith(
            { ENVIRONMENT_VARIABLES: { AOAI_API_KEY: "${AOAI_API_KEY}", SEARCH_KEY: "${env:SEARCH_KEY}", MAX_TOKENS: "800", KEY_VAULT_NAME: "kv-dev", LOG_LEVEL: "info" } },
            { ENVIRONMENT_VARIABLES: { SEARCH_API_KEY: "@Microsoft.KeyVault(SecretUri=https://kv-llmops-dev.vault.azure.net/secrets/search-api-key)", OTHER_SECRET: "@Microsoft.KeyVault(VaultName=kv-dev;SecretName=other)" } },
          ),
          file,
        ),
      );
    });

    it("refuses a credential in a connection spec of experiment.yaml, without echoing it", () => {
      const spec = { name: "aoai", connection_type: "AzureOpenAIConnection", api_base: "https://user:hunter22@aoai.example.com/", api_version: "2024-10-21", api_key: "${K}" };
      const err = refusal(() => resolveConnections([spec], { K: "k" }, "experiment.yaml"));
      assert.equal(err.jsonPath, "$.connections[0].api_base");
      assert.ok(!err.message.includes("hunter22"));
      const custom = { name: "search", connection_type: "CustomConnection", configs: { endpoint: "https://s.example.com", api_token: "literal-token-value" } };
      const customErr = refusal(() => resolveConnections([custom], {}, "experiment.yaml"));
      assert.equal(customErr.jsonPath, "$.connections[0].configs.api_token");
      assert.ok(!customErr.message.includes("literal-token-value"));
    });

    describe("Web App settings resolved from the environment", () => {
      const project = projectsRemovedAfterSuite();
      it("refuses AOAI_API_BASE=https://user:pass@host/?api-key=... instead of copying it into an app setting", () => {
        const p = project();
        const err = refusal(() => plan(p, { environmentVariables: { AOAI_API_BASE: "https://user:hunter22@aoai.example.com/?api-key=0123456789abcdef" } }));
        assert.equal(err.jsonPath, "$.connections[0].api_base");
        assert.ok(!err.message.includes("hunter22") && !err.message.includes("0123456789abcdef"), err.message);
      });
    });
  });

  describe("paths that leave the project", () => {
    const project = projectsRemovedAfterSuite();
    const outside = ["../../etc/hostname", "/etc/passwd"];
    for (const escape of outside) {
      it(`refuses TEST_FILE_PATH ${escape} without showing the file`, () => {
        const p = project(deploymentConfig({ managed: [managedEntry({ TEST_FILE_PATH: escape })] }));
        const err = refusal(() => plan(p));
        assert.equal(err.jsonPath, "$.azure_managed_endpoint[0].TEST_FILE_PATH");
        assert.match(err.message, /inside the project root, found .*\(outside it\)/);
        assert.ok(!err.message.includes("root:"));
      });
      it(`refuses llmops:flowPath, llmops:datasets and llmops:deploymentConfigPath ${escape}`, () => {
        const p = project();
        assert.equal(refusal(() => plan(p, { stackConfig: stackConfig({ flowPath: escape }) })).jsonPath, '$.config["llmops:flowPath"]');
        assert.equal(refusal(() => plan(p, { stackConfig: stackConfig({ datasets: JSON.stringify([escape]) }) })).jsonPath, '$.config["llmops:datasets"][0]');
        assert.equal(refusal(() => plan(p, { stackConfig: stackConfig({ deploymentConfigPath: escape }) })).jsonPath, '$.config["llmops:deploymentConfigPath"]');
      });
    }
    it("refuses a symlink inside the project that points out of it", () => {
      const p = project(deploymentConfig({ managed: [managedEntry({ TEST_FILE_PATH: "flows/data/link.json" })] }));
      fs.symlinkSync("/etc/hostname", path.join(p.root, "flows/data/link.json"));
      assert.match(refusal(() => plan(p)).message, /\(outside it\)/);
    });
    it("refuses an experiment dataset or flow outside the use-case folder and the project", () => {
      const p = project();
      p.writeFile("flows/experiment.yaml", "name: classifier\nflow: classifier\ndatasets:\n  - name: bulk\n    source: /etc/passwd\n    mappings:\n      ticket: ${data.ticket}\n");
      const err = refusal(() => loadExperiment(path.join(p.root, "flows/experiment.yaml"), { environmentVariables: {} }));
      assert.equal(err.jsonPath, "$.datasets[0].source");
      p.writeFile("flows/experiment.yaml", "name: classifier\nflow: /etc\ndatasets:\n  - name: bulk\n    source: experiment-rows.jsonl\n    mappings:\n      ticket: ${data.ticket}\n");
      assert.equal(refusal(() => loadExperiment(path.join(p.root, "flows/experiment.yaml"), { environmentVariables: {} })).jsonPath, "$.flow");
    });
  });

  describe("reserved settings", () => {
    for (const name of ["AOAI_API_BASE", "AOAI_API_KEY", "LLMOPS_CONNECTIONS", "AZURE_CLIENT_ID", "WEBSITES_PORT", "__proto__"]) {
      it(`refuses ${name} in a Web App's ENVIRONMENT_VARIABLES`, () => {
        const text = configWith({}, {}).replace('"USER_MANAGED_ID"', `"ENVIRONMENT_VARIABLES": {${JSON.stringify(name)}: "x"}, "USER_MANAGED_ID"`);
        const err = refusal(() => parseDeploymentConfig(text, file));
        assert.ok(err.jsonPath.startsWith("$.webapp_endpoint[0].ENVIRONMENT_VARIABLES"), err.message);
        assert.ok(err.message.includes(name), err.message);
      });
    }
    it("refuses PRT_CONFIG_OVERRIDE on an endpoint", () => {
      const err = refusal(() => parseDeploymentConfig(configWith({ ENVIRONMENT_VARIABLES: { PRT_CONFIG_OVERRIDE: "deployment.subscription_id=x" } }), file));
      assert.equal(err.jsonPath, "$.azure_managed_endpoint[0].ENVIRONMENT_VARIABLES.PRT_CONFIG_OVERRIDE");
    });
  });

  describe("numbers Azure would not accept", () => {
    const cases: [string, Entry, string][] = [
      ["a 24-digit instance count", { DEPLOYMENT_INSTANCE_COUNT: "999999999999999999999999" }, "DEPLOYMENT_INSTANCE_COUNT"],
      ["an instance count above Azure's 50", { DEPLOYMENT_INSTANCE_COUNT: 51 }, "DEPLOYMENT_INSTANCE_COUNT"],
      ["an unsafe integer instance count", { DEPLOYMENT_INSTANCE_COUNT: 2 ** 53 + 1 }, "DEPLOYMENT_INSTANCE_COUNT"],
      ["a 24-digit probe delay", { LIVENESS_PROBE: { INITIAL_DELAY_SECONDS: "123456789012345678901234" } }, "LIVENESS_PROBE.INITIAL_DELAY_SECONDS"],
      ["PERIOD_SECONDS 1e11", { READINESS_PROBE: { PERIOD_SECONDS: 1e11 } }, "READINESS_PROBE.PERIOD_SECONDS"],
      ["an autoscale maximum of 1e23", { AUTOSCALE: { MIN_INSTANCES: 1, MAX_INSTANCES: "100000000000000000000000" } }, "AUTOSCALE.MAX_INSTANCES"],
      ["a huge concurrency", { MAX_CONCURRENT_REQUESTS_PER_INSTANCE: 1e12 }, "MAX_CONCURRENT_REQUESTS_PER_INSTANCE"],
      ["a huge failure threshold", { LIVENESS_PROBE: { FAILURE_THRESHOLD: "99999999999" } }, "LIVENESS_PROBE.FAILURE_THRESHOLD"],
    ];
    for (const [what, entry, key] of cases) {
      it(`refuses ${what}`, () => {
        const err = refusal(() => parseDeploymentConfig(configWith(entry), file));
        assert.equal(err.jsonPath, `$.azure_managed_endpoint[0].${key}`);
        assert.match(err.message, /from \d+ to \d+/);
      });
    }
    it("documents every bound in the schema", () => {
      const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "../../config/schema/deployment_config.schema.json"), "utf8")) as {
        properties: { azure_managed_endpoint: { items: { properties: Record<string, { maximum?: number; description: string }> } } };
      };
      const count = schema.properties.azure_managed_endpoint.items.properties.DEPLOYMENT_INSTANCE_COUNT;
      assert.equal(count.maximum, 50);
      assert.match(count.description, /1 to 50/);
    });
  });

  describe("role scopes", () => {
    const good = "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st";
    for (const scope of [`${good}/../../../otherAccount`, "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/../providers/Microsoft.Storage/storageAccounts/st", `${good}/./x/y`, "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts"]) {
      it(`refuses ${scope.slice(60)}`, () => {
        const err = refusal(() => parseDeploymentConfig(configWith({ ROLE_ASSIGNMENTS: [{ ROLE: "AcrPull", SCOPE: scope }] }), file));
        assert.equal(err.jsonPath, "$.azure_managed_endpoint[0].ROLE_ASSIGNMENTS[0].SCOPE");
      });
    }
    it("accepts a resource ID and a child resource ID", () => {
      assert.doesNotThrow(() => parseDeploymentConfig(configWith({ ROLE_ASSIGNMENTS: [{ ROLE: "AcrPull", SCOPE: good }, { ROLE: "AcrPull", SCOPE: `${good}/blobServices/default` }] }), file));
    });
  });

  describe("tags", () => {
    const settings = (tags: unknown) =>
      readStackSettings({ stack: "dev", stackConfig: stackConfig({ tags: JSON.stringify(tags) }), stackConfigFile: "Pulumi.dev.yaml", environmentVariables: {} });
    it("refuses a scalar", () => {
      assert.equal(refusal(() => settings("owner=ml")).jsonPath, '$.config["llmops:tags"]');
      assert.equal(refusal(() => readStackSettings({ stack: "dev", stackConfig: stackConfig({ tags: "owner" }), stackConfigFile: "Pulumi.dev.yaml", environmentVariables: {} })).jsonPath, '$.config["llmops:tags"]');
    });
    it("refuses more tags than Azure allows with the plan's own", () => {
      const many = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`t${i}`, "v"]));
      assert.match(refusal(() => settings(many)).message, /at most 45/);
    });
    it("refuses a 513-character name, a 257-character value, a non-string value and a name with /", () => {
      assert.ok(refusal(() => settings({ ["n".repeat(513)]: "v" })).message.includes("512"));
      assert.ok(refusal(() => settings({ owner: "v".repeat(257) })).message.includes("256"));
      assert.ok(refusal(() => settings({ owner: 5 })).message.includes("string"));
      assert.ok(refusal(() => settings({ "a/b": "v" })).message.includes("tag name"));
    });
    it("refuses a tag the plan sets itself and a secret in a tag", () => {
      assert.equal(refusal(() => settings({ environment: "x" })).jsonPath, '$.config["llmops:tags"].environment');
      const err = refusal(() => settings({ owner: "sk-proj-abcdefghijklmnop0123456789" }));
      assert.ok(!err.message.includes("abcdefghijklmnop"));
    });
  });

  describe("one reader, one answer for secure values", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-secure-"));
    after(() => fs.rmSync(root, { recursive: true, force: true }));
    it("plan and evaluate both refuse llmops:tags: {t: {secure: ...}} at the same path", () => {
      const text =
        "config:\n  llmops:location: westeurope\n  llmops:resourceGroupName: rg\n  llmops:workspaceName: mlw-dev\n  llmops:keyVault:\n    name: kv-dev\n" +
        "  llmops:tags:\n    t:\n      secure: v1:CIPHERTEXT\n";
      fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), text);
      const planErr = refusal(() => readStackConfigFile(root, "dev"));
      const evaluateErr = refusal(() => readStackDeployment("dev", root, {}));
      assert.equal(planErr.message, evaluateErr.message);
      assert.equal(planErr.jsonPath, '$.config["llmops:tags"].t');
      assert.ok(!planErr.message.includes("CIPHERTEXT"));
    });
  });

  describe("misspelled required keys", () => {
    it("points at DEPLOYMENT_VM_SIZ", () => {
      const entry = managedEntry();
      delete entry.DEPLOYMENT_VM_SIZE;
      entry.DEPLOYMENT_VM_SIZ = "Standard_DS3_v2";
      const err = refusal(() => parseDeploymentConfig(JSON.stringify(deploymentConfig({ managed: [entry] })), file));
      assert.match(err.message, /did you mean "DEPLOYMENT_VM_SIZE"/);
      assert.ok(err.message.includes("DEPLOYMENT_VM_SIZ\""), err.message);
    });
    it("points at llmops:workspacename", () => {
      const document = { config: { "llmops:location": "westeurope", "llmops:resourceGroupName": "rg", "llmops:workspacename": "mlw", "llmops:keyVault": { name: "kv-dev" } } };
      const err = refusal(() => validateAgainstSchema("stack-config", "Pulumi.dev.yaml", document));
      assert.match(err.message, /did you mean "llmops:workspaceName"/);
    });
  });

  describe("control characters", () => {
    const hostile = "label\u001b[2J\u001b]0;pwned\u0007\u202Etxt.exe\nsecond line";
     
    const raw = /[\u0000-\u0009\u000b-\u001f\u007f\u202e]/;
    it("a dataset label reaches progress lines, Markdown report cells and CLI messages escaped", () => {
      const state = { label: hostile, done: 1, failed: 0, total: 2, skipped: 0, elapsedMs: 1000 };
      const summary = { status: "Completed" as const, total: 1, completed: 1, failed: 0, usage: { prompt: 0, completion: 0, total: 0 }, duration_ms: 1, latency_ms: { p50: 1, p95: 1, p99: 1 }, errors: [] };
      const runTable = formatRunTable([{ name: hostile, summary }]);
      for (const text of [formatProgressLine(state), formatProgressBar(state, 80), markdownCell(hostile), terminalText(hostile), runTable]) {
        assert.ok(!raw.test(text), JSON.stringify(text));
      }
      assert.ok(!markdownCell(hostile).includes("\n") && !formatProgressLine(state).includes("\n"), "one line");
    });

    it("a key name with ANSI, OSC, RLO and newline is printed escaped on one line", () => {
      const name = "BAD\u001b[31mRED\u001b]0;title\u0007\u202Eevil\nNEXT\u0000";
      const text = configWith({}, {}).replace('"USER_MANAGED_ID"', `"ENVIRONMENT_VARIABLES": {${JSON.stringify(name)}: "x"}, "USER_MANAGED_ID"`);
      const err = refusal(() => parseDeploymentConfig(text, file));
       
      assert.ok(!/[\u0000-\u001f\u007f\u202e]/.test(err.message), JSON.stringify(err.message));
      assert.ok(err.message.includes("\\x1b[31m") && err.message.includes("\\u202e"), err.message);
    });
  });
});
