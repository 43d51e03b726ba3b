import assert from "node:assert/strict";
import { appServiceSku } from "../../src/config/appServiceSkus";
import { connectionSecretName, connectionSettingName } from "../../src/config/deploymentConfigChecks";
import { jsonPath, pointerSegments } from "../../src/config/jsonPath";
import { kebabCase } from "../../src/plan/assetNames";
import { dockerfileText } from "../../src/plan/dockerfile";
import { isoDurationFromMilliseconds, isoDurationFromSeconds } from "../../src/plan/isoDuration";

describe("plan building blocks", () => {
  it("writes ISO 8601 durations as ARM wants them", () => {
    assert.equal(isoDurationFromMilliseconds(180_000), "PT3M");
    assert.equal(isoDurationFromMilliseconds(90_000), "PT1M30S");
    assert.equal(isoDurationFromMilliseconds(1_500), "PT1.5S");
    assert.equal(isoDurationFromSeconds(3_725), "PT1H2M5S");
    assert.equal(isoDurationFromSeconds(0), "PT0S");
    assert.throws(() => isoDurationFromSeconds(-1), RangeError);
  });

  it("maps App Service SKUs to their tiers, case-insensitively, in Azure's spelling", () => {
    assert.deepEqual(appServiceSku("B1"), { name: "B1", tier: "Basic" });
    assert.deepEqual(appServiceSku("s1"), { name: "S1", tier: "Standard" });
    assert.deepEqual(appServiceSku("p1V3"), { name: "P1v3", tier: "PremiumV3" });
    assert.deepEqual(appServiceSku("P1mv3"), { name: "P1mv3", tier: "PremiumMV3" });
    assert.equal(appServiceSku("Y1"), undefined);
  });

  it("derives connection app settings and Key Vault secret names deterministically", () => {
    assert.equal(connectionSettingName("aoai"), "AOAI_API_KEY");
    assert.equal(connectionSettingName("open-ai.prod"), "OPEN_AI_PROD_API_KEY");
    assert.equal(connectionSecretName("Open_AI"), "open-ai-api-key");
    assert.match(connectionSecretName("a__b--c"), /^[0-9a-zA-Z-]{1,127}$/);
  });

  it("writes JSON paths users can read", () => {
    assert.equal(jsonPath(["azure_managed_endpoint", 1, "DEPLOYMENT_INSTANCE_COUNT"]), "$.azure_managed_endpoint[1].DEPLOYMENT_INSTANCE_COUNT");
    assert.equal(jsonPath(["config", "llmops:keyVault", "name"]), '$.config["llmops:keyVault"].name');
    assert.deepEqual(pointerSegments("/a~1b/0/c~0d"), ["a/b", 0, "c~d"]);
  });

  it("kebab-cases flow names for registry repositories", () => {
    assert.equal(kebabCase("Support_Ticket__Classifier"), "support-ticket-classifier");
  });

  it("generates the promptflow recipe's Dockerfile: amd64 base, flow at /flow, requirements, non-root, port 8080", () => {
    const text = dockerfileText({ engine: "promptflow", flowName: "classifier", contentHash: "ab".repeat(32), baseImage: "mcr.microsoft.com/azureml/promptflow/promptflow-runtime:latest", requirementsFile: "requirements.txt" });
    const lines = text.trim().split("\n");
    assert.equal(lines[1], "FROM --platform=linux/amd64 mcr.microsoft.com/azureml/promptflow/promptflow-runtime:latest");
    assert.ok(lines.includes("COPY . /flow"));
    const install = lines.findIndex((l) => l.includes("pip install"));
    const user = lines.indexOf("USER 10001");
    assert.ok(install > 0 && user > install, "requirements install as root before dropping privileges");
    assert.ok(lines.includes("EXPOSE 8080"));
    assert.match(text, /ENV PROMPTFLOW_RUN_MODE=serving/);
    assert.match(lines.at(-1) ?? "", /^CMD \["\/bin\/sh","-c",".*pf flow serve --source \/flow --host 0\.0\.0\.0 --port 8080/);
    assert.ok(!dockerfileText({ engine: "promptflow", flowName: "x", contentHash: "0".repeat(64), baseImage: "b/c:d" }).includes("pip install"));
  });
});
