/**
 * A template use case with its placeholder entries (kubernetes_endpoint and webapp_endpoint left blank, as the
 * template ships them) under Pulumi mocks: only the filled managed endpoint is declared, with the template's
 * model, environment and data-asset names.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { planStack } from "../../src/plan/load/planSources";
import type { OfflinePlanReport } from "../../src/stacks/offlinePlan/types";
import { stackConfig } from "../plan/fixtures";
import { writeTemplateUseCase } from "../support/templateUseCase";
import { input, ofType, one, recordGraph, types } from "./fixtures/graph";

/** The plan of review_sentiment's dev stack, in a project under `root`. */
function planUseCase(root: string, environmentVariables: Record<string, string> = {}) {
  return planStack({
    stack: "dev",
    projectRoot: root,
    stackConfig: stackConfig({ flowPath: undefined, useCase: "review_sentiment" }),
    stackConfigFile: "Pulumi.dev.yaml",
    environmentVariables,
  });
}

describe("infra: a use case with placeholder entries under mocks", function () {
  this.timeout(120_000);
  let root: string;
  let report: OfflinePlanReport;
  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-usecase-graph-"));
    writeTemplateUseCase(root, "review_sentiment", { envYaml: "AZURE_OPENAI_API_KEY: ${AOAI_KEY}\n" });
    ({ report } = await recordGraph(planUseCase(root)));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it("declares no Web App, plan or identity for the placeholder webapp_endpoint entry", () => {
    for (const type of [types.webApp, types.appServicePlan, types.identity]) assert.deepEqual(ofType(report, type), [], type);
  });

  it("declares only the filled managed endpoint and its deployment", () => {
    assert.equal(input(one(report, types.endpoint), "endpointName"), "review-sentiment-dev");
    assert.deepEqual(ofType(report, types.deployment).map((d) => input(d, "deploymentName")), ["blue"]);
  });

  it("registers the model and the experiment's data assets under the template's names", () => {
    assert.equal(input(one(report, types.modelVersion), "name"), "review_sentiment_dev");
    assert.equal(input(one(report, types.environmentVersion), "name"), "blue");
    assert.deepEqual(
      ofType(report, types.dataVersion).map((d) => input(d, "name")).sort(),
      ["review_sentiment_reviews", "review_sentiment_reviews_labelled"],
    );
  });
});

describe("infra: env.yaml secrets of a deployment", () => {
  it("are Pulumi secrets in the deployment's environment", async function () {
    this.timeout(120_000);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-usecase-secret-"));
    try {
      writeTemplateUseCase(root, "review_sentiment", { envYaml: "AZURE_OPENAI_API_KEY: ${AOAI_KEY}\n" });
      const { report } = await recordGraph(planUseCase(root, { AOAI_KEY: "sk-live-graph-1" }));
      const deployment = one(report, types.deployment, "blue");
      assert.ok(!JSON.stringify(report).includes("sk-live-graph-1"));
      // Pulumi marks the whole properties object secret once one of its values is: never the key in plain text.
      assert.equal(input(deployment, "properties"), "[secret]");
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
