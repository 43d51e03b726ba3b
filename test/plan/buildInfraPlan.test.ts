import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../../src/core/userError";
import { defaultBaseImage } from "../../src/plan/dockerfile";
import type { InfraPlan } from "../../src/plan/types";
import { deploymentConfig, projectsRemovedAfterSuite, managedEntry, plan, stackConfig, webAppEntry, type Project } from "./fixtures";

const sub = "00000000-1111-2222-3333-444444444444";

function expectConfigError(fn: () => unknown, file: string, jsonPath: string, words: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.file, file, err.message);
    assert.equal(err.jsonPath, jsonPath, err.message);
    for (const word of words) assert.ok(err.message.includes(word), `"${word}" missing from: ${err.message}`);
    return true;
  });
}

describe("buildInfraPlan", () => {
  const project = projectsRemovedAfterSuite();

  describe("single deployment + Web App (dev)", () => {
    let p: Project;
    let result: InfraPlan;
    before(() => {
      p = project();
      result = plan(p);
    });

    it("computes the existing resources' IDs and the registry login server", () => {
      assert.equal(result.azure.workspace.id, `/subscriptions/${sub}/resourceGroups/rg-llmops-dev/providers/Microsoft.MachineLearningServices/workspaces/mlw-llmops-dev`);
      assert.equal(result.azure.keyVault.id, `/subscriptions/${sub}/resourceGroups/rg-llmops-dev/providers/Microsoft.KeyVault/vaults/kv-llmops-dev`);
      assert.equal(result.azure.containerRegistry.id, `/subscriptions/${sub}/resourceGroups/rg-llmops-dev/providers/Microsoft.ContainerRegistry/registries/crllmopsdev`);
      assert.equal(result.azure.containerRegistry.loginServer, "crllmopsdev.azurecr.io");
      assert.equal(result.azure.openAi, undefined);
    });

    it("serves this build on one deployment with all traffic and no \"\" key", () => {
      const endpoint = result.endpoint!;
      assert.equal(endpoint.name, "ticket-endpoint-dev");
      assert.deepEqual(endpoint.traffic, { blue: 100 });
      assert.deepEqual(endpoint.mirrorTraffic, {});
      assert.equal(endpoint.deployments.length, 1);
      assert.equal(endpoint.deployments[0].role, "current");
      assert.deepEqual(endpoint.deployments[0].serves, { kind: "candidate" });
      assert.equal(endpoint.authMode, "Key");
      assert.equal(endpoint.testFilePath, path.join(p.root, "flows/data/sample-request.json"));
    });

    it("gives the deployment serving settings: env vars, timeout, probes, defaults", () => {
      const d = result.endpoint!.deployments[0];
      assert.equal(d.environmentVariables.PROMPTFLOW_RUN_MODE, "serving");
      assert.equal(d.environmentVariables.example_name, "example_value");
      assert.equal(
        d.environmentVariables.PRT_CONFIG_OVERRIDE,
        `deployment.subscription_id=${sub},deployment.resource_group=rg-llmops-dev,deployment.workspace_name=mlw-llmops-dev,` +
          "deployment.endpoint_name=ticket-endpoint-dev,deployment.deployment_name=blue",
      );
      assert.deepEqual(d.request, { timeout: "PT3M", maxConcurrentRequestsPerInstance: 1 });
      assert.deepEqual(d.livenessProbe, { initialDelay: "PT10S", period: "PT10S", timeout: "PT10S", failureThreshold: 30, successThreshold: 1 });
      assert.equal(d.vmSize, "Standard_DS3_v2");
      assert.equal(d.instanceCount, 1);
      assert.equal(d.appInsightsEnabled, true);
      assert.equal(d.dataCollection, false);
      assert.equal(d.autoscale, undefined);
    });

    it("registers the flow as <flow>_<env> with a build-derived version and a content-derived upload path", () => {
      const flow = result.flow;
      assert.equal(flow.name, "classifier");
      assert.deepEqual(flow.files.map((f) => f.relativePath), ["classify.py", "flow.dag.yaml", "requirements.txt"]);
      assert.match(flow.contentHash, /^[0-9a-f]{64}$/);
      assert.deepEqual(flow.model, {
        name: "classifier_dev",
        version: flow.buildHash.slice(0, 12),
        datastorePath: `LocalUpload/${flow.contentHash}/classifier`,
      });
    });

    it("registers every flows/data/*.jsonl file by default, versioned by content", () => {
      assert.deepEqual(result.flow.datasets.map((d) => d.name), ["bulk", "eval"]);
      const bulk = result.flow.datasets[0];
      assert.equal(bulk.version, bulk.sha256.slice(0, 12));
      assert.equal(bulk.datastorePath, `LocalUpload/${bulk.sha256}/bulk.jsonl`);
    });

    it("builds an amd64 serving image tagged by its build (flow files + Dockerfile)", () => {
      assert.equal(result.image.repository, "llmops/classifier");
      assert.equal(result.image.tag, result.flow.buildHash.slice(0, 12));
      assert.equal(result.image.contextDir, result.flow.sourceDir);
      assert.equal(result.image.engine, "llmops");
      assert.ok(result.image.runtimeDir !== undefined && fs.existsSync(path.join(result.image.runtimeDir, "src/cli/entry.ts")), "the runtime the image compiles");
      assert.ok(result.image.dockerfile.includes(`FROM --platform=linux/amd64 ${defaultBaseImage}\n`));
      assert.match(result.image.dockerfile, /^COPY \["flow\/requirements.txt","\/tmp\/requirements.txt"\]$/m);
      assert.doesNotMatch(result.image.dockerfile, /promptflow-runtime|pip install[^\n]*promptflow/i);
    });

    it("tags resources with environment, manager and flow hash, keeping the stack's own tags", () => {
      // A stack tag the plan sets itself would be overwritten without a word: refused instead.
      assert.throws(
        () => plan(p, { stackConfig: stackConfig({ tags: JSON.stringify({ team: "ml", environment: "spoofed" }) }) }),
        (err: unknown) => err instanceof ConfigError && err.jsonPath === '$.config["llmops:tags"].environment',
      );
      const withTags = plan(p, { stackConfig: stackConfig({ tags: JSON.stringify({ team: "ml" }) }) });
      assert.deepEqual(withTags.tags, {
        team: "ml",
        environment: "dev",
        "managed-by": "llmops-pulumi",
        "flow-content-hash": withTags.flow.contentHash,
      });
    });

    it("plans the Web App with Key Vault secret names for its connections", () => {
      assert.deepEqual(result.webApp, {
        appServicePlanName: "plan-ticket-dev",
        webAppName: "app-ticket-dev",
        resourceGroupName: "rg-llmops-dev",
        sku: { name: "B3", tier: "Basic" },
        identityName: "id-ticket-dev",
        connectionSecrets: [{ settingName: "AOAI_API_KEY", keyVaultSecretName: "aoai-api-key" }],
        appSettings: {
          AOAI_API_BASE: "https://aoai-test.openai.azure.com/",
          AOAI_API_TYPE: "azure",
          AOAI_API_VERSION: "2024-10-21",
          AOAI_AUTH_MODE: "key",
          AOAI_CONNECTION_TYPE: "azure_open_ai",
          LLMOPS_CONNECTIONS: "aoai",
          WEBSITES_PORT: "8080",
          PROMPTFLOW_RUN_MODE: "serving",
        },
        healthCheckPath: "/health",
        testFilePath: path.join(p.root, "flows/data/sample-request.json"),
      });
    });

    it("grants the template's roles with stable keys", () => {
      assert.deepEqual(
        result.roleAssignments.map((r) => [r.key, r.roleDefinitionGuid]),
        [
          ["endpoint-azureml-data-scientist-workspace", "f6c7c914-8db3-469d-8ca1-694a8f32e121"],
          ["endpoint-azure-machine-learning-workspace-connection-secrets-reader-workspace", "ea01e6af-a1c1-4350-9563-ad00f8c72ec5"],
          ["endpoint-key-vault-secrets-user-key-vault", "4633458b-17de-408a-b874-0445c86b69e6"],
          ["webapp-acrpull-registry", "7f951dda-4ed3-4680-a7ca-43fe172d538d"],
          ["webapp-key-vault-secrets-user-key-vault", "4633458b-17de-408a-b874-0445c86b69e6"],
        ],
      );
      assert.deepEqual(result.keyVaultAccessPolicies, []);
      assert.equal(result.notices, undefined);
    });

    it("adds Cognitive Services OpenAI User for both identities when an OpenAI account is configured", () => {
      const withOpenAi = plan(p, { stackConfig: stackConfig({ openAi: JSON.stringify({ name: "aoai-dev", resourceGroupName: "rg-ai" }) }) });
      const openAi = withOpenAi.roleAssignments.filter((r) => r.roleName === "Cognitive Services OpenAI User");
      assert.deepEqual(openAi.map((r) => r.key), ["endpoint-cognitive-services-openai-user-openai", "webapp-cognitive-services-openai-user-openai"]);
      assert.deepEqual(openAi[0].scope, { kind: "resource", id: `/subscriptions/${sub}/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/aoai-dev` });
    });

    it("is deterministic", () => assert.deepEqual(plan(p), result));
  });

  it("points every ID at the resources CI names through RESOURCE_GROUP_NAME, WORKSPACE_NAME and KEY_VAULT_NAME", () => {
    const p = project();
    const result = plan(p, { environmentVariables: { RESOURCE_GROUP_NAME: "rg-ci", WORKSPACE_NAME: "mlw-ci", KEY_VAULT_NAME: "kv-ci" } });
    assert.equal(result.azure.resourceGroupName, "rg-ci");
    assert.equal(result.azure.workspace.id, `/subscriptions/${sub}/resourceGroups/rg-ci/providers/Microsoft.MachineLearningServices/workspaces/mlw-ci`);
    assert.equal(result.azure.keyVault.id, `/subscriptions/${sub}/resourceGroups/rg-ci/providers/Microsoft.KeyVault/vaults/kv-ci`);
    assert.match(result.endpoint!.deployments[0].environmentVariables.PRT_CONFIG_OVERRIDE, /resource_group=rg-ci,deployment\.workspace_name=mlw-ci,/);
    assert.equal(result.webApp!.resourceGroupName, "rg-ci");
  });

  it("plans an A/B pair: both allocations honoured, prior frozen, current first", () => {
    const p = project(
      deploymentConfig({
        managed: [managedEntry({ PRIOR_DEPLOYMENT_NAME: "blue", PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION: "90", CURRENT_DEPLOYMENT_NAME: "green", CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: 10 })],
      }),
    );
    const endpoint = plan(p).endpoint!;
    assert.deepEqual(endpoint.traffic, { green: 10, blue: 90 });
    assert.deepEqual(endpoint.deployments.map((d) => [d.name, d.role, d.serves.kind]), [["green", "current", "candidate"], ["blue", "prior", "frozen"]]);
    assert.match(endpoint.deployments[1].environmentVariables.PRT_CONFIG_OVERRIDE, /deployment\.deployment_name=blue$/);
  });

  it("plans a shadow test: mirror traffic to a current deployment with no live traffic", () => {
    const p = project(
      deploymentConfig({
        managed: [managedEntry({ PRIOR_DEPLOYMENT_NAME: "blue", PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION: 100, CURRENT_DEPLOYMENT_NAME: "green", CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: 0, MIRROR_TRAFFIC: "20" })],
      }),
    );
    const endpoint = plan(p).endpoint!;
    assert.deepEqual(endpoint.traffic, { green: 0, blue: 100 });
    assert.deepEqual(endpoint.mirrorTraffic, { green: 20 });
  });

  it("plans a Web App only when the environment has no endpoint entry", () => {
    const p = project(deploymentConfig({ managed: [managedEntry({ ENV_NAME: "prod" })] }));
    const result = plan(p);
    assert.equal(result.endpoint, undefined);
    assert.ok(result.webApp);
    assert.ok(result.roleAssignments.every((r) => r.principal === "webapp"));
  });

  it("plans an endpoint only when the environment has no Web App entry", () => {
    const p = project(deploymentConfig({ webApps: [webAppEntry({ ENV_NAME: "prod" })] }));
    const result = plan(p);
    assert.equal(result.webApp, undefined);
    assert.ok(result.endpoint);
    assert.ok(result.roleAssignments.every((r) => r.principal === "endpoint"));
  });

  it("turns Key Vault data roles into get/list access policies on an access-policy vault", () => {
    const p = project();
    const result = plan(p, { stackConfig: stackConfig({ keyVault: JSON.stringify({ name: "kv-llmops-dev", authorization: "accessPolicy" }) }) });
    assert.ok(!result.roleAssignments.some((r) => r.roleName === "Key Vault Secrets User"));
    assert.ok(result.roleAssignments.some((r) => r.key === "endpoint-key-vault-reader-key-vault"));
    assert.deepEqual(result.keyVaultAccessPolicies, [
      { principal: "endpoint", secretPermissions: ["get", "list"] },
      { principal: "webapp", secretPermissions: ["get", "list"] },
    ]);
    assert.equal(result.azure.keyVault.authorization, "accessPolicy");
  });

  it("reads the additions: pins, auth mode, timeout, probes, autoscale, data collection", () => {
    const p = project(
      deploymentConfig({
        managed: [
          managedEntry({
            PRIOR_DEPLOYMENT_NAME: "blue",
            PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION: "50",
            CURRENT_DEPLOYMENT_NAME: "green",
            CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: "50",
            PRIOR_DEPLOYMENT_MODEL_VERSION: "3",
            PRIOR_DEPLOYMENT_IMAGE: `crllmopsdev.azurecr.io/llmops/classifier@sha256:${"a".repeat(64)}`,
            CURRENT_DEPLOYMENT_MODEL_VERSION: "4",
            AUTH_MODE: "aad_token",
            REQUEST_TIMEOUT_MS: "90000",
            MAX_CONCURRENT_REQUESTS_PER_INSTANCE: "8",
            READINESS_PROBE: { INITIAL_DELAY_SECONDS: 0, PERIOD_SECONDS: "5", TIMEOUT_SECONDS: 2, FAILURE_THRESHOLD: 3, SUCCESS_THRESHOLD: 2 },
            DEPLOYMENT_INSTANCE_COUNT: "2",
            AUTOSCALE: { MIN_INSTANCES: "1", MAX_INSTANCES: 4 },
            APP_INSIGHTS_ENABLED: "false",
            DATA_COLLECTION: true,
          }),
        ],
      }),
    );
    const endpoint = plan(p).endpoint!;
    assert.equal(endpoint.authMode, "AADToken");
    const [current, prior] = endpoint.deployments;
    assert.deepEqual(current.serves, { kind: "pinned", modelVersion: "4" });
    assert.deepEqual(prior.serves, { kind: "pinned", modelVersion: "3", image: `crllmopsdev.azurecr.io/llmops/classifier@sha256:${"a".repeat(64)}` });
    assert.deepEqual(current.request, { timeout: "PT1M30S", maxConcurrentRequestsPerInstance: 8 });
    assert.deepEqual(current.readinessProbe, { initialDelay: "PT0S", period: "PT5S", timeout: "PT2S", failureThreshold: 3, successThreshold: 2 });
    assert.equal(current.instanceCount, 2);
    assert.deepEqual(current.autoscale, { minInstances: 1, maxInstances: 4, targetUtilizationPercentage: 70 });
    assert.equal(current.appInsightsEnabled, false);
    assert.equal(current.dataCollection, true);
  });

  it("adds configured role assignments with stable keys, and can drop the defaults", () => {
    const storageAccount = `/subscriptions/${sub}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stdata`;
    const entry = managedEntry({
      DEFAULT_ROLE_ASSIGNMENTS: false,
      ROLE_ASSIGNMENTS: [
        { ROLE: "Storage Blob Data Reader", SCOPE: "storage" },
        { ROLE: "storage blob data reader", SCOPE: storageAccount, PRINCIPAL: "endpoint" },
        { ROLE: "acdd72a7-3385-48ef-bd42-f606fba81ae7", SCOPE: `/subscriptions/${sub}/resourceGroups/rg-llmops-dev/providers/Microsoft.MachineLearningServices/workspaces/mlw-llmops-dev` },
      ],
    });
    const p = project(deploymentConfig({ managed: [entry], webApps: [] }));
    const first = plan(p).roleAssignments;
    assert.equal(first.length, 3);
    assert.deepEqual(first[0], {
      key: "endpoint-storage-blob-data-reader-storage",
      principal: "endpoint",
      roleName: "Storage Blob Data Reader",
      roleDefinitionGuid: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
      scope: { kind: "workspaceStorage" },
    });
    assert.match(first[1].key, /^endpoint-storage-blob-data-reader-stdata-[0-9a-f]{8}$/);
    assert.deepEqual(first[1].scope, { kind: "resource", id: storageAccount });
    assert.equal(first[2].key, "endpoint-reader-workspace", "an ID of a known resource is named after it");
    assert.deepEqual(plan(p).roleAssignments.map((r) => r.key), first.map((r) => r.key), "keys are stable across runs");
  });

  it("takes the registry from the Web App entry when the stack names none", () => {
    const p = project(deploymentConfig({ webApps: [webAppEntry({ REGISTRY_NAME: "crwebapp01", REGISTRY_RG_NAME: "rg-registry" })] }));
    const result = plan(p, { stackConfig: stackConfig({ containerRegistry: undefined }) });
    assert.equal(result.azure.containerRegistry.id, `/subscriptions/${sub}/resourceGroups/rg-registry/providers/Microsoft.ContainerRegistry/registries/crwebapp01`);
    assert.equal(result.azure.containerRegistry.loginServer, "crwebapp01.azurecr.io");
  });

  it("honours the template's base image key and reports the conda key it ignores", () => {
    const p = project(
      deploymentConfig({
        managed: [managedEntry({ DEPLOYMENT_BASE_IMAGE_NAME: "myregistry.azurecr.io/promptflow/runtime:20240529.v1", DEPLOYMENT_CONDA_PATH: "environment/conda.yml" })],
        kubernetes: [managedEntry({ ENDPOINT_NAME: "ticket-k8s-dev", COMPUTE_NAME: "k8s", DEPLOYMENT_VM_SIZE: "defaultinstancetype" })],
      }),
    );
    // The template's key names a prompt flow runtime base: it applies to the promptflow engine.
    const result = plan(p, { stackConfig: stackConfig({ serving: JSON.stringify({ engine: "promptflow" }) }) });
    assert.match(result.image.dockerfile, /^FROM --platform=linux\/amd64 myregistry\.azurecr\.io\/promptflow\/runtime:20240529\.v1$/m);
    assert.equal(result.notices?.length, 1);
    assert.match(result.notices[0], /azure_managed_endpoint\[0\]\.DEPLOYMENT_CONDA_PATH is ignored/);
    assert.equal(result.kubernetesEndpoint?.name, "ticket-k8s-dev", "the Kubernetes entry is deployed beside the managed one");
    // With the llmops engine (the default) it is ignored, with a notice, and the pinned Node base is used.
    const llmops = plan(p);
    assert.ok(llmops.notices!.some((notice) => /DEPLOYMENT_BASE_IMAGE_NAME .* is ignored/.test(notice)));
    assert.ok(llmops.image.dockerfile.includes(`FROM --platform=linux/amd64 ${defaultBaseImage}\n`));
  });

  it("with serving.engine llmops, refuses a flow the engine refuses, with the engine's reason, and a base image not pinned by digest", () => {
    const p = project();
    const dag = fs.readFileSync(path.join(p.root, "flows/classifier/flow.dag.yaml"), "utf8");
    p.writeFile(
      "flows/classifier/flow.dag.yaml",
      dag.replace(/nodes:\n/, "nodes:\n- name: search\n  type: python\n  source: {type: package, tool: promptflow.tools.serpapi.SerpAPI.search}\n  inputs: {query: x}\n"),
    );
    assert.throws(() => plan(p), (err: unknown) => err instanceof Error && /llmops engine refuses this flow/.test(err.message) && /promptflow\.tools\.serpapi/.test(err.message) && /serving\.engine: promptflow/.test(err.message));
    // The same flow plans with prompt flow's runtime image.
    const promptflow = plan(p, { stackConfig: stackConfig({ serving: JSON.stringify({ engine: "promptflow" }) }) });
    assert.equal(promptflow.image.engine, "promptflow");
    assert.match(promptflow.image.dockerfile, /promptflow-runtime:latest/);

    const q = project();
    expectConfigError(() => plan(q, { stackConfig: stackConfig({ serving: JSON.stringify({ baseImage: "node:24-bookworm-slim" }) }) }), "Pulumi.dev.yaml", `$.config["llmops:serving"].baseImage`, ["pinned by digest", "node:24-bookworm-slim"]);
  });

  it("uses the CLI's --config file instead of the stack's", () => {
    const p = project();
    p.writeFile("config/other.json", JSON.stringify(deploymentConfig({ managed: [managedEntry({ ENDPOINT_NAME: "other-endpoint" })] })));
    assert.equal(plan(p, { deploymentConfigPath: "config/other.json" }).endpoint?.name, "other-endpoint");
    expectConfigError(() => plan(p, { deploymentConfigPath: "config/missing.json" }), "--config", "deploymentConfigPath", ['"config/missing.json" (not found)']);
  });

  describe("config errors that need the whole picture", () => {
    const file = "config/deployment_config.json";

    it("names the flow folder setting when the folder is missing", () => {
      const p = project();
      expectConfigError(() => plan(p, { stackConfig: stackConfig({ flowPath: "flows/nope" }) }), "Pulumi.dev.yaml", '$.config["llmops:flowPath"]', ['"flows/nope" (no such folder)']);
    });

    it("rejects a flow folder without flow.dag.yaml", () => {
      const p = project();
      p.writeFile("flows/empty/readme.md", "not a flow");
      expectConfigError(() => plan(p, { stackConfig: stackConfig({ flowPath: "flows/empty" }) }), "Pulumi.dev.yaml", '$.config["llmops:flowPath"]', ["flow.dag.yaml"]);
    });

    it("rejects an environment the file does not have, listing the ones it has", () => {
      const p = project();
      expectConfigError(() => plan(p, { stackConfig: stackConfig({ environment: "qa" }) }), file, "$", ['ENV_NAME "qa"', '"dev"', '"prod"']);
    });

    it("names all three entry kinds when none matches the environment", () => {
      const p = project(deploymentConfig({ managed: [], webApps: [], kubernetes: [managedEntry({ ENV_NAME: "prod", COMPUTE_NAME: "k8s", DEPLOYMENT_VM_SIZE: "defaultinstancetype" })] }));
      expectConfigError(() => plan(p), file, "$", ["azure_managed_endpoint, kubernetes_endpoint or webapp_endpoint", '"prod"']);
    });

    it("rejects a smoke-test request file that does not exist", () => {
      const p = project(deploymentConfig({ managed: [managedEntry({ TEST_FILE_PATH: "flows/data/missing.json" })] }));
      expectConfigError(() => plan(p), file, "$.azure_managed_endpoint[0].TEST_FILE_PATH", ['"flows/data/missing.json" (not found)']);
    });

    it("rejects the openai scope when no OpenAI account is configured", () => {
      const p = project(deploymentConfig({ managed: [managedEntry({ ROLE_ASSIGNMENTS: [{ ROLE: "Cognitive Services OpenAI User", SCOPE: "openai" }] })] }));
      expectConfigError(() => plan(p), file, "$.azure_managed_endpoint[0].ROLE_ASSIGNMENTS[0].SCOPE", ["llmops:openAi"]);
    });

    it("rejects a Web App registry that differs from the stack's", () => {
      const p = project(deploymentConfig({ webApps: [webAppEntry({ REGISTRY_NAME: "crsomewhereelse" })] }));
      expectConfigError(() => plan(p), file, "$.webapp_endpoint[0].REGISTRY_NAME", ['"crllmopsdev"']);
    });

    it("requires a registry somewhere", () => {
      const p = project();
      expectConfigError(() => plan(p, { stackConfig: stackConfig({ containerRegistry: undefined }) }), "Pulumi.dev.yaml", '$.config["llmops:containerRegistry"]', ["REGISTRY_NAME"]);
    });

    it("rejects an explicit dataset that does not exist", () => {
      const p = project();
      expectConfigError(
        () => plan(p, { stackConfig: stackConfig({ datasets: JSON.stringify(["flows/data/bulk.jsonl", "flows/data/nope.jsonl"]) }) }),
        "Pulumi.dev.yaml",
        '$.config["llmops:datasets"][1]',
        ['"flows/data/nope.jsonl" (no such file)'],
      );
    });

    it("rejects a model name Azure would refuse", () => {
      const p = project();
      p.writeFile("flows/my flow/flow.dag.yaml", "inputs: {}\n");
      expectConfigError(() => plan(p, { stackConfig: stackConfig({ flowPath: "flows/my flow" }) }), "Pulumi.dev.yaml", '$.config["llmops:flowPath"]', ['"my flow_dev"']);
    });
  });

  it("registers explicitly listed datasets with their names", () => {
    const p = project();
    const result = plan(p, { stackConfig: stackConfig({ datasets: JSON.stringify([{ path: "flows/data/eval.jsonl", name: "tickets-eval", description: "labelled" }]) }) });
    assert.deepEqual(result.flow.datasets.map((d) => [d.name, d.description, path.relative(p.root, d.localPath)]), [["tickets-eval", "labelled", path.join("flows", "data", "eval.jsonl")]]);
  });

  it("has no datasets when the default folder is absent", () => {
    const p = project();
    fs.rmSync(path.join(p.root, "flows/data/bulk.jsonl"));
    fs.rmSync(path.join(p.root, "flows/data/eval.jsonl"));
    assert.deepEqual(plan(p).flow.datasets, []);
  });
});
