import assert from "node:assert/strict";
import { parseDeploymentConfig } from "../../src/config/loadDeploymentConfig";
import { ConfigError } from "../../src/core/userError";
import { deploymentConfig, managedEntry, webAppEntry } from "../plan/fixtures";

type Config = Record<string, unknown> & {
  azure_managed_endpoint: Record<string, unknown>[];
  webapp_endpoint: Record<string, unknown>[];
};

const file = "config/deployment_config.json";

function baseConfig(): Config {
  return structuredClone(deploymentConfig()) as Config;
}

function abPrior(entry: Record<string, unknown>): void {
  entry.PRIOR_DEPLOYMENT_NAME = "blue";
  entry.PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION = "100";
  entry.CURRENT_DEPLOYMENT_NAME = "green";
  entry.CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION = "0";
}

interface Case {
  name: string;
  mutate: (config: Config) => void;
  path: string;
  words: string[];
}

const m0 = "$.azure_managed_endpoint[0]";
const w0 = "$.webapp_endpoint[0]";

const cases: Case[] = [
  { name: "instance count 0", mutate: (c) => (c.azure_managed_endpoint[0].DEPLOYMENT_INSTANCE_COUNT = 0), path: `${m0}.DEPLOYMENT_INSTANCE_COUNT`, words: ["from 1 to 50", "found 0"] },
  { name: "instance count as words", mutate: (c) => (c.azure_managed_endpoint[0].DEPLOYMENT_INSTANCE_COUNT = "two"), path: `${m0}.DEPLOYMENT_INSTANCE_COUNT`, words: ["whole number", '"two"'] },
  { name: "instance count in the second entry", mutate: (c) => (c.azure_managed_endpoint[1].DEPLOYMENT_INSTANCE_COUNT = -1), path: "$.azure_managed_endpoint[1].DEPLOYMENT_INSTANCE_COUNT", words: ["from 1 to 50"] },
  { name: "VM size without Standard_", mutate: (c) => (c.azure_managed_endpoint[0].DEPLOYMENT_VM_SIZE = "DS3_v2"), path: `${m0}.DEPLOYMENT_VM_SIZE`, words: ["Azure VM SKU", '"DS3_v2"'] },
  { name: "endpoint name starting with a digit", mutate: (c) => (c.azure_managed_endpoint[0].ENDPOINT_NAME = "1endpoint"), path: `${m0}.ENDPOINT_NAME`, words: ["starting with a letter"] },
  { name: "endpoint name too short", mutate: (c) => (c.azure_managed_endpoint[0].ENDPOINT_NAME = "ab"), path: `${m0}.ENDPOINT_NAME`, words: ["3-32"] },
  { name: "endpoint name ending with a hyphen", mutate: (c) => (c.azure_managed_endpoint[0].ENDPOINT_NAME = "ticket-"), path: `${m0}.ENDPOINT_NAME`, words: ["not ending with a hyphen"] },
  { name: "endpoint name of 33 characters", mutate: (c) => (c.azure_managed_endpoint[0].ENDPOINT_NAME = "e".repeat(33)), path: `${m0}.ENDPOINT_NAME`, words: ["3-32"] },
  { name: "deployment name too short", mutate: (c) => (c.azure_managed_endpoint[0].CURRENT_DEPLOYMENT_NAME = "b"), path: `${m0}.CURRENT_DEPLOYMENT_NAME`, words: ["3-32", "deployment name"] },
  { name: "deployment name with underscore", mutate: (c) => (c.azure_managed_endpoint[0].CURRENT_DEPLOYMENT_NAME = "blue_1"), path: `${m0}.CURRENT_DEPLOYMENT_NAME`, words: ["letters, digits or hyphens"] },
  { name: "missing current deployment name", mutate: (c) => delete c.azure_managed_endpoint[0].CURRENT_DEPLOYMENT_NAME, path: `${m0}.CURRENT_DEPLOYMENT_NAME`, words: ["required", "found nothing"] },
  {
    name: "traffic summing to 110",
    mutate: (c) => {
      abPrior(c.azure_managed_endpoint[0]);
      c.azure_managed_endpoint[0].PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION = "30";
      c.azure_managed_endpoint[0].CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION = 80;
    },
    path: `${m0}.CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION`,
    words: ["sum to 100", "prior 30 + current 80", "110"],
  },
  { name: "allocation that is not a number", mutate: (c) => (c.azure_managed_endpoint[0].CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION = "all"), path: `${m0}.CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION`, words: ["traffic percentage", '"all"'] },
  { name: "allocation above 100", mutate: (c) => (c.azure_managed_endpoint[0].CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION = 150), path: `${m0}.CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION`, words: ["from 0 to 100", "150"] },
  { name: "single deployment with 50% traffic", mutate: (c) => (c.azure_managed_endpoint[0].CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION = "50"), path: `${m0}.CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION`, words: ["100 for a single deployment"] },
  {
    name: "prior allocation without a prior name",
    mutate: (c) => {
      c.azure_managed_endpoint[0].PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION = "10";
      c.azure_managed_endpoint[0].CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION = "90";
    },
    path: `${m0}.PRIOR_DEPLOYMENT_NAME`,
    words: ["name of the prior deployment", "10%"],
  },
  {
    name: "prior named without an allocation",
    mutate: (c) => {
      c.azure_managed_endpoint[0].PRIOR_DEPLOYMENT_NAME = "green";
    },
    path: `${m0}.PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION`,
    words: ['prior deployment "green"'],
  },
  {
    name: "mirror above 50",
    mutate: (c) => {
      abPrior(c.azure_managed_endpoint[0]);
      c.azure_managed_endpoint[0].MIRROR_TRAFFIC = 60;
    },
    path: `${m0}.MIRROR_TRAFFIC`,
    words: ["from 0 to 50"],
  },
  { name: "mirror to a deployment with live traffic", mutate: (c) => (c.azure_managed_endpoint[0].MIRROR_TRAFFIC = "10"), path: `${m0}.MIRROR_TRAFFIC`, words: ["0% live traffic", "current traffic 100"] },
  { name: "duplicate ENV_NAME", mutate: (c) => (c.azure_managed_endpoint[1].ENV_NAME = "dev"), path: "$.azure_managed_endpoint[1].ENV_NAME", words: ["one entry per environment", "azure_managed_endpoint[0]"] },
  { name: "endpoint name reused by another environment", mutate: (c) => (c.azure_managed_endpoint[1].ENDPOINT_NAME = "Ticket-Endpoint-Dev"), path: "$.azure_managed_endpoint[1].ENDPOINT_NAME", words: ["unique per Azure region"] },
  { name: "misspelt key", mutate: (c) => (c.azure_managed_endpoint[0].DEPLOYMENT_VM_SIZ = "Standard_DS3_v2"), path: `${m0}.DEPLOYMENT_VM_SIZ`, words: ['did you mean "DEPLOYMENT_VM_SIZE"', "unknown key"] },
  { name: "misspelt top-level list", mutate: (c) => (c.azure_managed_endpoints = []), path: "$.azure_managed_endpoints", words: ['did you mean "azure_managed_endpoint"'] },
  { name: "web app name starting with a hyphen", mutate: (c) => (c.webapp_endpoint[0].WEB_APP_NAME = "-app"), path: `${w0}.WEB_APP_NAME`, words: ["2-60"] },
  { name: "web app name of 61 characters", mutate: (c) => (c.webapp_endpoint[0].WEB_APP_NAME = "a".repeat(61)), path: `${w0}.WEB_APP_NAME`, words: ["2-60"] },
  { name: "registry name too short", mutate: (c) => (c.webapp_endpoint[0].REGISTRY_NAME = "cr"), path: `${w0}.REGISTRY_NAME`, words: ["5-50 letters or digits"] },
  { name: "registry name with a hyphen", mutate: (c) => (c.webapp_endpoint[0].REGISTRY_NAME = "cr-llmops"), path: `${w0}.REGISTRY_NAME`, words: ["5-50 letters or digits"] },
  { name: "unknown Web App SKU", mutate: (c) => (c.webapp_endpoint[0].WEB_APP_SKU = "Z9"), path: `${w0}.WEB_APP_SKU`, words: ["App Service plan SKU", "P1v3", '"Z9"'] },
  // Shared (D1) plans exist for Windows only: a Linux plan (reserved) on it fails at ARM, after the image push.
  { name: "Windows-only Shared SKU", mutate: (c) => (c.webapp_endpoint[0].WEB_APP_SKU = "D1"), path: `${w0}.WEB_APP_SKU`, words: ["Linux App Service plan SKU", '"D1"'] },
  { name: "unknown auth mode", mutate: (c) => (c.azure_managed_endpoint[0].AUTH_MODE = "token"), path: `${m0}.AUTH_MODE`, words: ['one of "key", "aad_token"'] },
  { name: "request timeout above Azure's maximum", mutate: (c) => (c.azure_managed_endpoint[0].REQUEST_TIMEOUT_MS = 200000), path: `${m0}.REQUEST_TIMEOUT_MS`, words: ["180000"] },
  {
    name: "autoscale max below min",
    mutate: (c) => (c.azure_managed_endpoint[0].AUTOSCALE = { MIN_INSTANCES: 3, MAX_INSTANCES: 2 }),
    path: `${m0}.AUTOSCALE.MAX_INSTANCES`,
    words: ["at least MIN_INSTANCES (3)"],
  },
  {
    name: "instance count outside the autoscale range",
    mutate: (c) => (c.azure_managed_endpoint[0].AUTOSCALE = { MIN_INSTANCES: 2, MAX_INSTANCES: "4" }),
    path: `${m0}.DEPLOYMENT_INSTANCE_COUNT`,
    words: ["between AUTOSCALE.MIN_INSTANCES (2) and MAX_INSTANCES (4)", "found 1"],
  },
  { name: "liveness success threshold above 1", mutate: (c) => (c.azure_managed_endpoint[0].LIVENESS_PROBE = { SUCCESS_THRESHOLD: 2 }), path: `${m0}.LIVENESS_PROBE.SUCCESS_THRESHOLD`, words: ["1 (liveness"] },
  { name: "negative probe period", mutate: (c) => (c.azure_managed_endpoint[0].READINESS_PROBE = { PERIOD_SECONDS: 0 }), path: `${m0}.READINESS_PROBE.PERIOD_SECONDS`, words: ["seconds between probes", "from 1 to 3600"] },
  { name: "secret in plain text", mutate: (c) => (c.azure_managed_endpoint[0].ENVIRONMENT_VARIABLES = { AOAI_API_KEY: "sk-live-123456" }), path: `${m0}.ENVIRONMENT_VARIABLES.AOAI_API_KEY`, words: ["no secret in plain text", "Key Vault", "not shown"] },
  { name: "invalid environment variable name", mutate: (c) => (c.azure_managed_endpoint[0].ENVIRONMENT_VARIABLES = { "1BAD": "x" }), path: `${m0}.ENVIRONMENT_VARIABLES["1BAD"]`, words: ["environment variable name"] },
  { name: "environment variable that is not a string", mutate: (c) => (c.azure_managed_endpoint[0].ENVIRONMENT_VARIABLES = { WORKERS: 4 }), path: `${m0}.ENVIRONMENT_VARIABLES.WORKERS`, words: ["a string", "found 4"] },
  { name: "run mode other than serving", mutate: (c) => (c.azure_managed_endpoint[0].ENVIRONMENT_VARIABLES = { PROMPTFLOW_RUN_MODE: "batch" }), path: `${m0}.ENVIRONMENT_VARIABLES.PROMPTFLOW_RUN_MODE`, words: ['"serving"'] },
  { name: "unknown role name", mutate: (c) => (c.azure_managed_endpoint[0].ROLE_ASSIGNMENTS = [{ ROLE: "Owner", SCOPE: "workspace" }]), path: `${m0}.ROLE_ASSIGNMENTS[0].ROLE`, words: ["built-in role name", "AcrPull", '"Owner"'] },
  { name: "unknown role scope", mutate: (c) => (c.azure_managed_endpoint[0].ROLE_ASSIGNMENTS = [{ ROLE: "Reader", SCOPE: "subscription" }]), path: `${m0}.ROLE_ASSIGNMENTS[0].SCOPE`, words: ["full ARM resource ID"] },
  {
    name: "malformed resource ID scope",
    mutate: (c) => (c.azure_managed_endpoint[0].ROLE_ASSIGNMENTS = [{ ROLE: "Reader", SCOPE: "/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st" }]),
    path: `${m0}.ROLE_ASSIGNMENTS[0].SCOPE`,
    words: ["full ARM resource ID"],
  },
  { name: "role for another principal", mutate: (c) => (c.azure_managed_endpoint[0].ROLE_ASSIGNMENTS = [{ ROLE: "Reader", SCOPE: "workspace", PRINCIPAL: "webapp" }]), path: `${m0}.ROLE_ASSIGNMENTS[0].PRINCIPAL`, words: ['one of "endpoint"'] },
  {
    name: "image pin without a model version",
    mutate: (c) => (c.azure_managed_endpoint[0].CURRENT_DEPLOYMENT_IMAGE = "crllmopsdev.azurecr.io/llmops/classifier:0123456789ab"),
    path: `${m0}.CURRENT_DEPLOYMENT_MODEL_VERSION`,
    words: ["a pin needs both"],
  },
  { name: "prior pin without a prior deployment", mutate: (c) => (c.azure_managed_endpoint[0].PRIOR_DEPLOYMENT_MODEL_VERSION = "3"), path: `${m0}.PRIOR_DEPLOYMENT_MODEL_VERSION`, words: ["PRIOR_DEPLOYMENT_NAME"] },
  { name: "connection names giving the same setting", mutate: (c) => (c.webapp_endpoint[0].CONNECTION_NAMES = ["open-ai", "open_ai"]), path: `${w0}.CONNECTION_NAMES[1]`, words: ["OPEN_AI_API_KEY"] },
  { name: "duplicate Web App entries", mutate: (c) => c.webapp_endpoint.push(webAppEntry({ WEB_APP_NAME: "app-ticket-dev-2" })), path: "$.webapp_endpoint[1].ENV_NAME", words: ["one entry per environment"] },
  { name: "Web App name reused across environments", mutate: (c) => c.webapp_endpoint.push(webAppEntry({ ENV_NAME: "prod" })), path: "$.webapp_endpoint[1].WEB_APP_NAME", words: ["globally unique"] },
  {
    name: "kubernetes entry without compute",
    mutate: (c) => (c.kubernetes_endpoint = [managedEntry({ ENV_NAME: "k8s", ENDPOINT_NAME: "ticket-k8s" })]),
    path: "$.kubernetes_endpoint[0].COMPUTE_NAME",
    words: ["required"],
  },
  { name: "entries that are not a list", mutate: (c) => (c.azure_managed_endpoint = {} as unknown as Record<string, unknown>[]), path: "$.azure_managed_endpoint", words: ["a list"] },
];

describe("deployment_config.json validation", () => {
  it("has at least 25 rejected shapes", () => assert.ok(cases.length >= 25));

  for (const testCase of cases) {
    it(`rejects ${testCase.name}`, () => {
      const config = baseConfig();
      testCase.mutate(config);
      let caught: unknown;
      try {
        parseDeploymentConfig(JSON.stringify(config), file);
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
      assert.equal(caught.file, file);
      assert.equal(caught.jsonPath, testCase.path, caught.message);
      for (const word of testCase.words) assert.ok(caught.message.includes(word), `"${word}" missing from: ${caught.message}`);
    });
  }

  it("never echoes a secret value", () => {
    const config = baseConfig();
    config.azure_managed_endpoint[0].ENVIRONMENT_VARIABLES = { DB_PASSWORD: "hunter2-very-secret" };
    assert.throws(
      () => parseDeploymentConfig(JSON.stringify(config), file),
      (err: unknown) => err instanceof ConfigError && !err.message.includes("hunter2"),
    );
  });

  it("reports a JSON syntax error with its line", () => {
    assert.throws(
      () => parseDeploymentConfig('{\n  "azure_managed_endpoint": [\n    {,}\n  ]\n}', file),
      (err: unknown) => err instanceof ConfigError && err.jsonPath === "$" && /valid JSON/.test(err.message) && /line 3/.test(err.message),
    );
  });

  it("accepts secret-named variables holding references, not values", () => {
    const config = baseConfig();
    config.azure_managed_endpoint[0].ENVIRONMENT_VARIABLES = { AOAI_API_KEY: "${AOAI_API_KEY}" };
    config.webapp_endpoint[0].ENVIRONMENT_VARIABLES = {
      SEARCH_API_KEY: "@Microsoft.KeyVault(SecretUri=https://kv-llmops-dev.vault.azure.net/secrets/search-api-key)",
    };
    assert.doesNotThrow(() => parseDeploymentConfig(JSON.stringify(config), file));
  });
});
