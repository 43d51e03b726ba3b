import * as assert from "node:assert/strict";
import {
  applyRenames,
  buildPromotionDiff,
  compareArtifacts,
  compareTraffic,
  diffDeploymentConfig,
  diffResources,
  diffStackConfig,
  diffValues,
  environmentRenames,
  isIdentical,
  isRenameOnly,
  pulumiArguments,
  renderPromotionMarkdown,
  renderPromotionText,
} from "../../../src/stacks/promotion";
import type { PlannedResource, StackConfigSource, StackPlanSnapshot } from "../../../src/stacks/promotion";
import { stackConfigFromDocument } from "../../../src/config/stackConfigFile";

/** What the one stack file reader hands the promotion diff: the `config:` map with secrets masked. */
function stackValues(config: Record<string, unknown>): Record<string, unknown> {
  return stackConfigFromDocument({ config }, "Pulumi.test.yaml").values;
}

const endpointType = "azure-native:machinelearningservices:OnlineEndpoint";
const deploymentType = "azure-native:machinelearningservices:OnlineDeployment";
const trafficType = "pulumi-nodejs:dynamic:Resource";
const webAppType = "azure-native:web:WebApp";

function deployment(name: string, model: string, image: string, instances = 1): PlannedResource {
  return {
    type: deploymentType,
    name,
    inputs: {
      deploymentName: name,
      properties: { model, environmentId: `${image}-env`, instanceType: "Standard_DS3_v2" },
      sku: { name: "Default", capacity: instances },
    },
  };
}

function snapshot(stack: string, resources: PlannedResource[], outputs: Record<string, unknown> = {}): StackPlanSnapshot {
  return { stack, resources, outputs };
}

function configSource(stack: string, environment: string, config: Record<string, unknown>, deploymentConfig: unknown): StackConfigSource {
  return {
    stack,
    file: `Pulumi.${stack}.yaml`,
    config: stackConfigFromDocument({ config }, `Pulumi.${stack}.yaml`).values,
    environment,
    deploymentConfigFile: "config/deployment_config.json",
    deploymentConfig,
  };
}

describe("promotion diff: values", () => {
  it("lists each differing leaf with a readable path, keys sorted", () => {
    const changes = diffValues(
      { b: 1, a: { x: "same", y: [1, 2] }, "llmops:key": true },
      { b: 2, a: { x: "same", y: [1, 3, 4] }, "llmops:key": true },
    );
    assert.deepEqual(changes, [
      { path: "a.y[1]", from: 2, to: 3 },
      { path: "a.y[2]", to: 4 },
      { path: "b", from: 1, to: 2 },
    ]);
  });

  it("keeps 90 and \"90\" apart for resource inputs but equal for the template's allocations", () => {
    assert.equal(diffValues({ t: 90 }, { t: "90" }).length, 1);
    assert.equal(diffValues({ t: 90 }, { t: "90" }, "", { looseNumbers: true }).length, 0);
  });

  it("reports an added or removed key with the absent side left out", () => {
    assert.deepEqual(diffValues({ a: 1 }, {}), [{ path: "a", from: 1 }]);
    assert.deepEqual(diffValues({}, { a: { b: 1 } }), [{ path: "a", to: { b: 1 } }]);
  });
});

describe("promotion diff: resources", () => {
  it("finds added, removed and changed resources and counts identical ones", () => {
    const shared: PlannedResource = { type: "azure-native:resources:Tag", name: "shared", inputs: { a: 1 } };
    const from = [shared, deployment("blue", "model:1", "img:1"), { type: webAppType, name: "web", inputs: { httpsOnly: true } }];
    const to = [shared, deployment("blue", "model:1", "img:1", 3), deployment("green", "model:2", "img:2"), deployment("red", "m", "i")];
    const diff = diffResources(from, to);
    assert.equal(diff.unchanged, 1);
    assert.deepEqual(diff.removed.map((r) => r.name), ["web"]);
    assert.deepEqual(diff.added.map((r) => r.name).sort(), ["green", "red"]);
    assert.equal(diff.changed.length, 1);
    assert.deepEqual(diff.changed[0].changes, [{ path: "sku.capacity", from: 1, to: 3 }]);
  });

  it("pairs the single resource of a type named per environment instead of reporting add + remove", () => {
    const from = [{ type: endpointType, name: "tickets-dev", inputs: { endpointName: "tickets-dev", authMode: "Key" } }];
    const to = [{ type: endpointType, name: "tickets-prod", inputs: { endpointName: "tickets-prod", authMode: "AADToken" } }];
    const diff = diffResources(from, to);
    assert.equal(diff.added.length, 0);
    assert.equal(diff.removed.length, 0);
    assert.equal(diff.changed[0].fromName, "tickets-dev");
    assert.equal(diff.changed[0].toName, "tickets-prod");
    assert.deepEqual(diff.changed[0].changes.map((c) => c.path), ["authMode", "endpointName"]);
  });

  it("calls two identical plans identical", () => {
    const resources = [deployment("blue", "m:1", "i:1")];
    const diff = buildPromotionDiff(
      { from: snapshot("dev", resources), to: snapshot("prod", resources) },
      { from: configSource("dev", "dev", {}, {}), to: configSource("prod", "prod", {}, {}) },
    );
    assert.equal(isIdentical(diff), true);
  });
});

describe("promotion diff: traffic", () => {
  const trafficResource = (endpoint: string, traffic: Record<string, number>, mirror: Record<string, number> = {}): PlannedResource => ({
    type: trafficType,
    name: `${endpoint}-traffic`,
    inputs: { endpointName: endpoint, traffic, mirrorTraffic: mirror },
  });

  it("shows each deployment's live and mirrored share in both stacks, endpoints named per environment paired", () => {
    const rows = compareTraffic(
      snapshot("dev", [trafficResource("tickets-dev", { blue: 100 })]),
      snapshot("prod", [trafficResource("tickets-prod", { blue: 90, green: 10 }, { green: 0 })]),
    );
    assert.deepEqual(rows, [
      { endpoint: "tickets-dev → tickets-prod", deployment: "blue", fromTraffic: 100, toTraffic: 90 },
      { endpoint: "tickets-dev → tickets-prod", deployment: "green", toTraffic: 10, toMirror: 0 },
    ]);
  });

  it("falls back to the traffic stack outputs when no resource applies traffic", () => {
    const rows = compareTraffic(
      snapshot("dev", [], { endpointName: "e", traffic: { blue: 100 } }),
      snapshot("prod", [], { endpointName: "e", traffic: { blue: 50, green: 50 }, mirrorTraffic: { green: 0 } }),
    );
    assert.deepEqual(rows.map((r) => [r.deployment, r.fromTraffic, r.toTraffic]), [["blue", 100, 50], ["green", undefined, 50]]);
  });

  it("has no rows for a stack pair without endpoints (Web App only)", () => {
    assert.deepEqual(compareTraffic(snapshot("dev", []), snapshot("prod", [])), []);
  });
});

describe("promotion diff: models and images", () => {
  it("shows the model and image each deployment and Web App runs, changed or not", () => {
    const web = (fx: string): PlannedResource => ({ type: webAppType, name: "app", inputs: { siteConfig: { linuxFxVersion: fx } } });
    const rows = compareArtifacts(
      snapshot("dev", [deployment("blue", "azureml:flow_dev:abc", "img@sha256:1"), web("DOCKER|r.azurecr.io/x@sha256:1")]),
      snapshot("prod", [deployment("blue", "azureml:flow_prod:abc", "img@sha256:1"), web("DOCKER|r.azurecr.io/x@sha256:2")]),
    );
    assert.deepEqual(rows, [
      { resource: "OnlineDeployment blue", field: "properties.environmentId", from: "img@sha256:1-env", to: "img@sha256:1-env" },
      { resource: "OnlineDeployment blue", field: "properties.model", from: "azureml:flow_dev:abc", to: "azureml:flow_prod:abc" },
      { resource: "WebApp app", field: "siteConfig.linuxFxVersion", from: "DOCKER|r.azurecr.io/x@sha256:1", to: "DOCKER|r.azurecr.io/x@sha256:2" },
    ]);
  });

  it("shows a deployment only the target stack has with no source reference", () => {
    const rows = compareArtifacts(snapshot("dev", []), snapshot("prod", [deployment("green", "m:2", "i:2")]));
    assert.equal(rows.length, 2);
    assert.ok(rows.every((row) => row.from === undefined && row.to !== undefined));
  });
});

describe("promotion diff: configuration", () => {
  it("diffs Pulumi.<stack>.yaml keys, structured values by leaf, and never shows a secret's ciphertext", () => {
    const changes = diffStackConfig(
      stackValues({ "llmops:environment": "dev", "llmops:keyVault": { name: "kv-dev", authorization: "rbac" }, "llmops:token": { secure: "v1:AAAA" }, "azure-native:location": "westeurope" }),
      stackValues({ "llmops:environment": "prod", "llmops:keyVault": { name: "kv-prod", authorization: "rbac" }, "llmops:token": { secure: "v1:BBBB" }, "azure-native:location": "westeurope" }),
    );
    assert.deepEqual(changes, [
      { path: "llmops:environment", from: "dev", to: "prod" },
      { path: "llmops:keyVault.name", from: "kv-dev", to: "kv-prod" },
    ]);
    const leaked = diffStackConfig(stackValues({ "llmops:token": { secure: "v1:AAAA" } }), stackValues({ "llmops:token": "plain" }));
    assert.deepEqual(leaked, [{ path: "llmops:token", from: "[secret]", to: "plain" }]);
    assert.ok(!JSON.stringify(leaked).includes("v1:AAAA"));
  });

  it("compares the two environments' deployment_config.json entries section by section", () => {
    const file = {
      $schema: "./schema/deployment_config.schema.json",
      azure_managed_endpoint: [
        { ENV_NAME: "dev", ENDPOINT_NAME: "tickets-dev", CURRENT_DEPLOYMENT_NAME: "blue", CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: "100", PRIOR_DEPLOYMENT_NAME: "" },
        { ENV_NAME: "prod", ENDPOINT_NAME: "tickets-prod", CURRENT_DEPLOYMENT_NAME: "blue", CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: 100, PRIOR_DEPLOYMENT_NAME: "" },
      ],
      webapp_endpoint: [{ ENV_NAME: "prod", WEB_APP_NAME: "tickets-web-prod" }],
      kubernetes_endpoint: [],
    };
    const sections = diffDeploymentConfig(configSource("dev", "dev", {}, file), configSource("prod", "prod", {}, file));
    assert.deepEqual(sections, [
      { section: "azure_managed_endpoint", changes: [{ path: "ENDPOINT_NAME", from: "tickets-dev", to: "tickets-prod" }] },
      { section: "webapp_endpoint", missingIn: "from", changes: [{ path: "WEB_APP_NAME", to: "tickets-web-prod" }] },
    ]);
  });
});

describe("promotion diff: rendering and pulumi arguments", () => {
  const diff = buildPromotionDiff(
    {
      from: snapshot("dev", [deployment("blue", "model:1", "img:1")]),
      to: snapshot("prod", [deployment("blue", "model:1", "img:1", 2), deployment("green", "model:1", "img:1")]),
    },
    {
      from: configSource("dev", "dev", { "llmops:environment": "dev", "llmops:secret": { secure: "v1:CIPHER" } }, {}),
      to: configSource("prod", "prod", { "llmops:environment": "prod", "llmops:secret": { secure: "v1:OTHER" } }, {}),
    },
  );

  it("prints every section as a table naming both stacks", () => {
    const text = renderPromotionText(diff);
    assert.match(text, /^Promotion dev → prod/);
    assert.match(text, /\+ added\s+azure-native:machinelearningservices:OnlineDeployment\s+green/);
    assert.match(text, /~ changed .*blue\s+sku\.capacity/);
    assert.match(text, /llmops:environment\s+dev\s+prod/);
    assert.ok(!text.includes("CIPHER") && !text.includes("OTHER"));
  });

  it("renders markdown tables with pipes in values escaped", () => {
    const markdown = renderPromotionMarkdown(
      buildPromotionDiff(
        { from: snapshot("dev", []), to: snapshot("prod", [{ type: webAppType, name: "app", inputs: { siteConfig: { linuxFxVersion: "DOCKER|x" } } }]) },
        { from: configSource("dev", "dev", {}, {}), to: configSource("prod", "prod", {}, {}) },
      ),
    );
    assert.match(markdown, /^## Promotion `dev` → `prod`/);
    assert.match(markdown, /\| WebApp app \| siteConfig\.linuxFxVersion \| — \| DOCKER\\\|x \|/);
  });

  it("maps --yes and --dry-run to pulumi's arguments", () => {
    assert.deepEqual(pulumiArguments({ stack: "prod", yes: false, dryRun: false }), ["up", "--stack", "prod"]);
    assert.deepEqual(pulumiArguments({ stack: "prod", yes: true, dryRun: false }), ["up", "--stack", "prod", "--yes"]);
    assert.deepEqual(pulumiArguments({ stack: "prod", yes: true, dryRun: true }), ["preview", "--stack", "prod"]);
  });
});

describe("promotion diff: per-environment names", () => {
  const renames = environmentRenames({
    stacks: { from: "dev", to: "prod" },
    environments: { from: "dev", to: "prod" },
    stackConfig: [
      { path: "llmops:resourceGroupName", from: "rg-llmops-dev", to: "rg-llmops-prod" },
      { path: "llmops:flowPath", from: "flows/a", to: "flows/b" },
    ],
    deploymentConfig: [
      {
        section: "azure_managed_endpoint",
        changes: [
          { path: "ENDPOINT_NAME", from: "tickets-dev", to: "tickets-prod" },
          { path: "CURRENT_DEPLOYMENT_NAME", from: "blue", to: "green" },
          { path: "CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION", from: "100", to: "10" },
        ],
      },
    ],
  });

  it("takes resource names from both config files, never deployment names, paths or numbers; longest first", () => {
    assert.deepEqual(renames, [
      { from: "rg-llmops-dev", to: "rg-llmops-prod" },
      { from: "tickets-dev", to: "tickets-prod" },
      { from: "dev", to: "prod" },
    ]);
  });

  it("renames whole tokens only", () => {
    assert.equal(applyRenames("/resourceGroups/rg-llmops-dev/providers/x (dev)", renames), "/resourceGroups/rg-llmops-prod/providers/x (prod)");
    assert.equal(applyRenames("device developer", renames), "device developer");
  });

  it("treats swapped names and regenerated GUIDs as expected, but never another digest or version", () => {
    assert.equal(isRenameOnly({ path: "scope", from: "/rg/rg-llmops-dev", to: "/rg/rg-llmops-prod" }, renames), true);
    assert.equal(
      isRenameOnly({ path: "principalId", from: "fed7ed49-133f-5763-96e7-9f2f75d5a1a8", to: "c9f4c740-6ff7-596b-b1ea-11b425648ace" }, renames),
      true,
    );
    assert.equal(isRenameOnly({ path: "image", from: "r.io/x@sha256:aaaa", to: "r.io/x@sha256:bbbb" }, renames), false);
    assert.equal(isRenameOnly({ path: "model", from: "flow_dev:1", to: "flow_prod:2" }, renames), false);
    assert.equal(isRenameOnly({ path: "deployment", from: "blue", to: "green" }, renames), false);
  });

  it("lists only real differences: renamed-only resources become a count, identical changes one row", () => {
    const blob = (name: string, account: string, group: string): PlannedResource => ({
      type: "azure-native:storage:Blob",
      name,
      inputs: { accountName: account, resourceGroupName: group },
    });
    const endpoint = (env: string): PlannedResource => ({ type: endpointType, name: "endpoint", inputs: { endpointName: `tickets-${env}`, resourceGroupName: `rg-llmops-${env}` } });
    const text = renderPromotionText(
      buildPromotionDiff(
        { from: snapshot("dev", [endpoint("dev"), blob("a.py", "stdev", "rg-llmops-dev"), blob("b.py", "stdev", "rg-llmops-dev")]), to: snapshot("prod", [endpoint("prod"), blob("a.py", "stprod", "rg-llmops-prod"), blob("b.py", "stprod", "rg-llmops-prod")]) },
        {
          from: configSource("dev", "dev", { "llmops:resourceGroupName": "rg-llmops-dev" }, { azure_managed_endpoint: [{ ENV_NAME: "dev", ENDPOINT_NAME: "tickets-dev" }] }),
          to: configSource("prod", "prod", { "llmops:resourceGroupName": "rg-llmops-prod" }, { azure_managed_endpoint: [{ ENV_NAME: "prod", ENDPOINT_NAME: "tickets-prod" }] }),
        },
      ),
    );
    assert.doesNotMatch(text, /~ changed\s+azure-native:machinelearningservices:OnlineEndpoint/);
    assert.match(text, /1 resource\(s\) differ only by per-environment names/);
    assert.match(text, /~ changed\s+azure-native:storage:Blob\s+2 resources \(a\.py, …\)\s+accountName \(\+1 per-environment names or IDs\)/);
  });
});

describe("diffValues on lists of named entries", () => {
  it("matches a Web App's app settings by name: removing one is one change, not one per later setting", () => {
    const settings = (names: string[]) => names.map((name) => ({ name, value: `${name.toLowerCase()}-value` }));
    const all = ["AOAI_API_BASE", "AOAI_API_KEY", "AOAI_API_VERSION", "LLMOPS_CONNECTIONS", "PROMPTFLOW_RUN_MODE", "WEBSITES_PORT"];
    const changes = diffValues({ siteConfig: { appSettings: settings(all) } }, { siteConfig: { appSettings: settings(all.filter((n) => n !== "AOAI_API_KEY")) } });
    assert.deepEqual(changes, [{ path: "siteConfig.appSettings.AOAI_API_KEY", from: { name: "AOAI_API_KEY", value: "aoai_api_key-value" } }]);
  });
});

