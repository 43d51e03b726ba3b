/**
 * A use case in the genaiops template's layout (`llmops:useCase`) planned as it is: the deployment config, the
 * experiment, the flow and the datasets come from the folder, the template's placeholder entries are skipped, and
 * the names continue the template's so a migrating user's registered versions continue.
 */
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { planStack } from "../../src/plan/load/planSources";
import { readStackSettings } from "../../src/config/stackConfig";
import { ConfigError } from "../../src/core/userError";
import { stackConfig } from "./fixtures";
import { writeTemplateUseCase } from "../support/templateUseCase";

describe("use cases in the template's layout (llmops:useCase)", () => {
  let root: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-usecase-"));
    writeTemplateUseCase(root, "review_sentiment", { envYaml: "AZURE_OPENAI_API_KEY: ${AOAI_KEY}\n" });
    writeTemplateUseCase(root, "named_entity_recognition", { endpointName: "ner-endpoint-dev", experimentName: "ner" });
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const useCaseConfig = (useCase: string, overrides: Record<string, string | undefined> = {}): Record<string, string> =>
    stackConfig({ flowPath: undefined, useCase, ...overrides });
  const planOf = (useCase: string, overrides: Record<string, string | undefined> = {}) =>
    planStack({
      stack: "dev",
      projectRoot: root,
      stackConfig: useCaseConfig(useCase, overrides),
      stackConfigFile: "Pulumi.dev.yaml",
      environmentVariables: {},
    });

  type ConfigDocument = Record<string, Record<string, unknown>[]>;
  /** Runs `check` with review_sentiment's deployment_config.json changed by `change`, then restores the file. */
  function withConfig(change: (config: ConfigDocument) => void, check: () => void): void {
    const file = path.join(root, "review_sentiment", "configs", "deployment_config.json");
    const original = fs.readFileSync(file, "utf8");
    try {
      const config = JSON.parse(original) as ConfigDocument;
      change(config);
      fs.writeFileSync(file, JSON.stringify(config));
      check();
    } finally {
      fs.writeFileSync(file, original);
    }
  }
  /** review_sentiment's plan, with its deployment_config.json changed by `change`, is refused as `isExpected` says. */
  function refusedWith(change: (config: ConfigDocument) => void, isExpected: (err: unknown) => boolean): void {
    withConfig(change, () => assert.throws(() => planOf("review_sentiment"), isExpected));
  }

  it("defaults the deployment config and experiment from the folder and leaves the flow to the experiment", () => {
    const settings = readStackSettings({ stack: "dev", stackConfig: useCaseConfig("review_sentiment"), stackConfigFile: "Pulumi.dev.yaml", environmentVariables: {} });
    assert.equal(settings.deploymentConfigPath, "review_sentiment/configs/deployment_config.json");
    assert.equal(settings.experimentPath, "review_sentiment/experiment.yaml");
    assert.equal(settings.flowPath, undefined);
  });

  it("serves the experiment's flow: flow: flows/standard relative to the use-case folder", () => {
    const plan = planOf("review_sentiment");
    assert.equal(plan.flow.sourceDir, path.join(root, "review_sentiment", "flows", "standard"));
    assert.equal(plan.flow.definition.file, "flow.dag.yaml");
  });

  it("resolves TEST_FILE_PATH relative to the use-case folder", () => {
    const plan = planOf("review_sentiment");
    assert.equal(plan.endpoint?.testFilePath, path.join(root, "review_sentiment", "sample-request.json"));
  });

  it("names the model <experiment name>_<env>, as the template registers it", () => {
    assert.equal(planOf("review_sentiment").flow.model.name, "review_sentiment_dev");
    // The experiment's name, not the flow folder's (flows/standard) nor the use case's.
    assert.equal(planOf("named_entity_recognition").flow.model.name, "ner_dev");
  });

  it("names the image repository <use case>_<env>, as the template pushes it", () => {
    assert.equal(planOf("review_sentiment").image.repository, "review_sentiment_dev");
  });

  it("names the serving environment after CURRENT_DEPLOYMENT_NAME, as the template creates it", () => {
    assert.equal(planOf("review_sentiment").flow.environmentName, "blue");
  });

  it("registers the experiment's datasets (and the evaluators' own) with name, description and a content-hash version", () => {
    const datasets = planOf("review_sentiment").flow.datasets;
    assert.deepEqual(
      datasets.map((d) => [d.name, d.description, path.relative(root, d.localPath)]),
      [
        ["review_sentiment_reviews", "Product reviews to classify", path.join("review_sentiment", "data", "reviews.jsonl")],
        ["review_sentiment_reviews_labelled", "Reviews with their sentiment", path.join("review_sentiment", "data", "reviews_labelled.jsonl")],
      ],
    );
    const file = fs.readFileSync(path.join(root, "review_sentiment", "data", "reviews.jsonl"));
    assert.equal(datasets[0].version, createHash("sha256").update(file).digest("hex").slice(0, 12));
  });

  it("keeps llmops:datasets as an override of the experiment's datasets", () => {
    const datasets = planOf("review_sentiment", { datasets: JSON.stringify([{ path: "review_sentiment/data/reviews.jsonl", name: "only-this" }]) }).flow.datasets;
    assert.deepEqual(datasets.map((d) => d.name), ["only-this"]);
  });

  it("gives two use cases of one repository distinct Azure names", () => {
    const a = planOf("review_sentiment");
    const b = planOf("named_entity_recognition");
    assert.notEqual(a.flow.model.name, b.flow.model.name);
    assert.notEqual(a.image.repository, b.image.repository);
    assert.notEqual(a.endpoint?.name, b.endpoint?.name);
    const assets = new Set([...a.flow.datasets, ...b.flow.datasets].map((d) => d.name));
    assert.equal(assets.size, a.flow.datasets.length + b.flow.datasets.length);
  });

  it("skips the template's placeholder entries with a one-line notice each, and deploys no Kubernetes or Web App", () => {
    const plan = planOf("review_sentiment");
    assert.equal(plan.webApp, undefined);
    const placeholders = (plan.notices ?? []).filter((n) => n.includes("placeholder"));
    assert.deepEqual(
      placeholders.map((n) => n.split(" ")[1]),
      ["kubernetes_endpoint[0]", "webapp_endpoint[0]"],
    );
    for (const notice of placeholders) assert.ok(!notice.includes("\n"));
  });

  it("refuses a half-filled entry, naming every blank name", () => {
    refusedWith(
      (config) => (config.webapp_endpoint[0].WEB_APP_NAME = "app-reviews-dev"),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.file === "review_sentiment/configs/deployment_config.json" &&
        err.jsonPath === "$.webapp_endpoint[0].APP_PLAN_NAME" &&
        /WEB_APP_NAME filled but APP_PLAN_NAME blank/.test(err.found),
    );
    refusedWith(
      (config) => (config.kubernetes_endpoint[0].COMPUTE_NAME = "k8s-compute"),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.jsonPath === "$.kubernetes_endpoint[0]" &&
        /ENDPOINT_NAME, CURRENT_DEPLOYMENT_NAME, DEPLOYMENT_VM_SIZE blank/.test(err.found),
    );
  });

  it("keeps a Kubernetes entry whose only filled value is its instance type a placeholder (math_coding ships one)", () => {
    withConfig(
      (config) => {
        config.kubernetes_endpoint[0].DEPLOYMENT_VM_SIZE = "promptinstancetype";
      },
      () => {
        assert.ok((planOf("review_sentiment").notices ?? []).some((n) => n.includes("kubernetes_endpoint[0]") && n.includes("placeholder")));
      },
    );
  });

  it("says the entries are placeholders when nothing is filled for the stack's environment", () => {
    refusedWith(
      (config) => {
        Object.assign(config.azure_managed_endpoint[0], { ENDPOINT_NAME: "", CURRENT_DEPLOYMENT_NAME: "" });
      },
      (err: unknown) => err instanceof ConfigError && /placeholders: fill their names/.test(err.expected),
    );
  });

  it("applies environment/env.yaml to the deployments, secrets only by the variable holding them", () => {
    const deployment = planOf("review_sentiment").endpoint!.deployments[0];
    assert.equal(deployment.environmentVariables.SENTIMENT_CASE, "upper");
    assert.equal(deployment.environmentVariables.PROMPTFLOW_RUN_MODE, "serving");
    assert.deepEqual(deployment.secretEnvironmentVariables, { AZURE_OPENAI_API_KEY: "AOAI_KEY" });
    assert.equal(deployment.environmentVariables.AZURE_OPENAI_API_KEY, undefined);
  });

  it("applies environment/env.yaml to the Web App, secrets as Key Vault references", () => {
    withConfig(
      (config) => {
        Object.assign(config.webapp_endpoint[0], { CONNECTION_NAMES: [], APP_PLAN_NAME: "plan-reviews-dev", WEB_APP_NAME: "app-reviews-dev" });
      },
      () => {
        const webApp = planOf("review_sentiment").webApp!;
        assert.equal(webApp.appSettings.SENTIMENT_CASE, "upper");
        assert.deepEqual(webApp.connectionSecrets, [{ settingName: "AZURE_OPENAI_API_KEY", keyVaultSecretName: "aoai-key" }]);
        assert.equal(webApp.appSettings.AZURE_OPENAI_API_KEY, undefined);
      },
    );
  });

  it("names the file of a missing use-case experiment", () => {
    assert.throws(
      () => planOf("no_such_use_case", { deploymentConfigPath: "review_sentiment/configs/deployment_config.json" }),
      (err: unknown) => err instanceof ConfigError && err.jsonPath === '$.config["llmops:experimentPath"]' && /no_such_use_case\/experiment.yaml/.test(err.found),
    );
  });
});
