import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDeploymentConfig } from "../../src/config/loadDeploymentConfig";

const projectRoot = path.resolve(__dirname, "../..");

/** A file as users bring it from the LLMOps prompt flow template: strings everywhere, "" priors, its extra keys. */
const templateFile = `{
  "azure_managed_endpoint": [
    {
      "ENV_NAME": "dev",
      "TEST_FILE_PATH": "sample-request.json",
      "ENDPOINT_NAME": "named-entity-dev",
      "ENDPOINT_DESC": "An online endpoint serving a flow for named entity recognition",
      "DEPLOYMENT_DESC": "prompt flow deployment",
      "PRIOR_DEPLOYMENT_NAME": "",
      "PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION": "",
      "CURRENT_DEPLOYMENT_NAME": "ner-blue",
      "CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION": "100",
      "DEPLOYMENT_VM_SIZE": "Standard_F4s_v2",
      "DEPLOYMENT_BASE_IMAGE_NAME": "mcr.microsoft.com/azureml/promptflow/promptflow-runtime:latest",
      "DEPLOYMENT_CONDA_PATH": "environment/conda.yml",
      "DEPLOYMENT_INSTANCE_COUNT": 1,
      "ENVIRONMENT_VARIABLES": {
        "example-name": "example-value"
      }
    },
    {
      "ENV_NAME": "prod",
      "TEST_FILE_PATH": "sample-request.json",
      "ENDPOINT_NAME": "named-entity-prod",
      "ENDPOINT_DESC": "An online endpoint serving a flow for named entity recognition",
      "DEPLOYMENT_DESC": "prompt flow deployment",
      "PRIOR_DEPLOYMENT_NAME": "ner-blue",
      "PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION": "80",
      "CURRENT_DEPLOYMENT_NAME": "ner-green",
      "CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION": "20",
      "DEPLOYMENT_VM_SIZE": "Standard_F4s_v2",
      "DEPLOYMENT_INSTANCE_COUNT": "2",
      "ENVIRONMENT_VARIABLES": {}
    }
  ],
  "kubernetes_endpoint": [
    {
      "ENV_NAME": "dev",
      "TEST_FILE_PATH": "sample-request.json",
      "ENDPOINT_NAME": "named-entity-k8s-dev",
      "ENDPOINT_DESC": "A Kubernetes endpoint",
      "DEPLOYMENT_DESC": "prompt flow deployment",
      "PRIOR_DEPLOYMENT_NAME": "",
      "PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION": "",
      "CURRENT_DEPLOYMENT_NAME": "ner-k8s",
      "CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION": 100,
      "COMPUTE_NAME": "k8s-compute",
      "DEPLOYMENT_VM_SIZE": "defaultinstancetype",
      "CPU_ALLOCATION": "",
      "MEMORY_ALLOCATION": "",
      "DEPLOYMENT_INSTANCE_COUNT": 1,
      "ENVIRONMENT_VARIABLES": {}
    }
  ],
  "webapp_endpoint": [
    {
      "ENV_NAME": "dev",
      "TEST_FILE_PATH": "sample-request.json",
      "CONNECTION_NAMES": ["aoai"],
      "REGISTRY_NAME": "templateregistry01",
      "REGISTRY_RG_NAME": "rg-template",
      "APP_PLAN_NAME": "plan-named-entity-dev",
      "WEB_APP_NAME": "app-named-entity-dev",
      "WEB_APP_RG_NAME": "rg-template",
      "WEB_APP_SKU": "B3",
      "USER_MANAGED_ID": "named-entity-identity"
    }
  ]
}`;

describe("template compatibility", () => {
  it("loads a config copied from the template unchanged", () => {
    const loaded = parseDeploymentConfig(templateFile, "deployment_config.json");
    assert.deepEqual(loaded.content, JSON.parse(templateFile), "nothing is rewritten while loading");
  });

  it("accepts allocations written as strings and as numbers", () => {
    const variants = ["\"100\"", "100"].map((value) =>
      templateFile.replace('"CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION": "100"', `"CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION": ${value}`),
    );
    for (const text of variants) assert.doesNotThrow(() => parseDeploymentConfig(text, "deployment_config.json"));
  });
});

describe("shipped config/deployment_config.json", () => {
  const file = path.join(projectRoot, "config/deployment_config.json");
  const text = fs.readFileSync(file, "utf8");

  it("validates and points editors at its schema", () => {
    const loaded = parseDeploymentConfig(text, "config/deployment_config.json");
    assert.equal(loaded.content.$schema, "./schema/deployment_config.schema.json");
    assert.ok(fs.existsSync(path.resolve(path.dirname(file), loaded.content.$schema)));
  });

  it("ships dev as a single deployment and prod as an A/B pair, each with a Web App", () => {
    const { content } = parseDeploymentConfig(text, "config/deployment_config.json");
    const dev = content.azure_managed_endpoint?.find((e) => e.ENV_NAME === "dev");
    const prod = content.azure_managed_endpoint?.find((e) => e.ENV_NAME === "prod");
    assert.equal(dev?.PRIOR_DEPLOYMENT_NAME, "");
    assert.ok(prod?.PRIOR_DEPLOYMENT_NAME);
    assert.deepEqual(content.webapp_endpoint?.map((w) => w.ENV_NAME).sort(), ["dev", "prod"]);
  });
});
