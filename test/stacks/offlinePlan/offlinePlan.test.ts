import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatPlanReport } from "../../../src/stacks/offlinePlan/formatPlan";
import { runOfflinePlan } from "../../../src/stacks/offlinePlan/runOfflinePlan";
import { readStackConfigFile, stackConfigFromDocument } from "../../../src/config/stackConfigFile";
import type { OfflinePlanReport, RecordedResource } from "../../../src/stacks/offlinePlan/types";
import { ConfigError, UserError } from "../../../src/core/userError";

const projectRoot = path.resolve(__dirname, "..", "..", "..");

function resource(type: string, name: string, inputs: Record<string, unknown>, ignoreChanges: string[] = []): RecordedResource {
  return { type, name, inputs, options: { dependsOn: [], ignoreChanges, retainOnDelete: false }, custom: true };
}

function report(resources: RecordedResource[], outputs: Record<string, unknown> = {}): OfflinePlanReport {
  return { stack: "dev", resources, outputs, notices: [] };
}

describe("offline plan", function () {
  this.timeout(240_000);

  describe("reading Pulumi.<stack>.yaml", () => {
    it("passes scalars as text and structured values as JSON text, as Pulumi does", () => {
      const config = stackConfigFromDocument(
        { config: { "llmops:environment": "dev", "llmops:keyVault": { name: "kv", authorization: "rbac" }, "llmops:count": 3, "llmops:flag": true } },
        "Pulumi.dev.yaml",
      );
      assert.deepEqual(config.config, {
        "llmops:environment": "dev",
        "llmops:keyVault": '{"name":"kv","authorization":"rbac"}',
        "llmops:count": "3",
        "llmops:flag": "true",
      });
      assert.deepEqual(config.secretKeys, []);
    });

    it("masks secure values, also inside structured values, and flags them as secrets", () => {
      const config = stackConfigFromDocument(
        {
          config: {
            "azure-native:clientSecret": { secure: "v1:AAAAciphertext" },
            "llmops:tags": { owner: "ml", token: { secure: "v1:BBBBciphertext" } },
          },
        },
        "Pulumi.dev.yaml",
      );
      assert.equal(config.config["azure-native:clientSecret"], "[secret]");
      assert.equal(config.config["llmops:tags"], '{"owner":"ml","token":"[secret]"}');
      assert.deepEqual(config.secretKeys.sort(), ["azure-native:clientSecret", "llmops:tags"]);
      assert.ok(!JSON.stringify(config).includes("ciphertext"));
    });

    it("names the file when it is missing or not a mapping", () => {
      assert.throws(() => readStackConfigFile(projectRoot, "no-such-stack"), (err: unknown) => err instanceof UserError && /Pulumi\.no-such-stack\.yaml not found/.test(err.message));
      assert.throws(() => stackConfigFromDocument(["a"], "Pulumi.x.yaml"), (err: unknown) => err instanceof ConfigError && err.file === "Pulumi.x.yaml" && err.jsonPath === "$");
      assert.throws(() => stackConfigFromDocument({ config: "text" }, "Pulumi.x.yaml"), (err: unknown) => err instanceof ConfigError && err.jsonPath === "$.config");
      assert.throws(() => readStackConfigFile(projectRoot, "../etc"), UserError);
    });
  });

  describe("formatPlanReport", () => {
    it("lists every resource with its key inputs, the traffic split and the outputs", () => {
      const text = formatPlanReport(
        report(
          [
            resource("azure-native:machinelearningservices:OnlineDeployment", "blue", { endpointName: "tickets", deploymentName: "blue", sku: { name: "Default", capacity: 2 }, properties: { instanceType: "Standard_DS3_v2" }, tags: { "deployment-role": "prior" } }, ["properties.model", "properties.environmentId"]),
            resource("azure-native:machinelearningservices:OnlineDeployment", "green", { endpointName: "tickets", deploymentName: "green", tags: { "deployment-role": "current" } }),
          ],
          { endpointName: "tickets", traffic: { blue: 90, green: 10 }, mirrorTraffic: {}, scoringUri: "https://tickets.westeurope.inference.ml.azure.com/score" },
        ),
      );
      assert.match(text, /machinelearningservices:OnlineDeployment\s+blue\s+.*instanceType=Standard_DS3_v2.*capacity=2/);
      assert.match(text, /Traffic of endpoint tickets/);
      assert.match(text, /blue\s+prior\s+keeps its build\s+90%\s+0%/);
      assert.match(text, /green\s+current\s+follows config\s+10%\s+0%/);
      assert.match(text, /scoringUri\s+https:\/\/tickets\.westeurope\.inference\.ml\.azure\.com\/score/);
    });
  });

  describe("runOfflinePlan", () => {
    it("plans two stacks in one process, each in a clean runtime", async () => {
      const dev = await runOfflinePlan({ stack: "dev", projectRoot, environment: process.env });
      const prod = await runOfflinePlan({ stack: "prod", projectRoot, environment: process.env });
      assert.equal(dev.stack, "dev");
      assert.equal(prod.stack, "prod");
      const names = (r: OfflinePlanReport, type: string) => r.resources.filter((x) => x.type === type).map((x) => x.name);
      assert.equal(names(dev, "azure-native:machinelearningservices:OnlineDeployment").length, 1);
      assert.equal(names(prod, "azure-native:machinelearningservices:OnlineDeployment").length, 2);
      assert.match(String(prod.outputs.scoringUri), /^https:\/\/[a-z0-9-]+\.westeurope\.inference\.ml\.azure\.com\/score$/);
      assert.ok(prod.resources.every((r) => !r.name.startsWith("llmops-dev")), "nothing of the dev run leaks into prod");
      // The same stack planned again gives the same report: deterministic IDs, names and GUIDs.
      assert.deepEqual(await runOfflinePlan({ stack: "dev", projectRoot, environment: process.env }), dev);
    });

    it("plans in the environment it is given, not this process's", async () => {
      assert.equal(process.env.RESOURCE_GROUP_NAME, undefined);
      const report = await runOfflinePlan({ stack: "dev", projectRoot, environment: { ...process.env, RESOURCE_GROUP_NAME: "rg-from-the-caller" } });
      const groups = new Set(report.resources.flatMap((r) => (typeof r.inputs.resourceGroupName === "string" ? [r.inputs.resourceGroupName] : [])));
      assert.deepEqual([...groups], ["rg-from-the-caller"]);
    });

    it("turns a config mistake into a ConfigError naming file and path", async () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-badplan-"));
      for (const entry of ["Pulumi.yaml", "config", "flows"]) fs.cpSync(path.join(projectRoot, entry), path.join(root, entry), { recursive: true });
      const stackFile = fs.readFileSync(path.join(projectRoot, "Pulumi.dev.yaml"), "utf8").replace(/llmops:subscriptionId: .*/, "llmops:subscriptionId: not-a-guid");
      fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), stackFile);
      await assert.rejects(runOfflinePlan({ stack: "dev", projectRoot: root, environment: process.env }), (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.equal(err.file, "Pulumi.dev.yaml");
        assert.match(err.jsonPath, /subscriptionId/);
        return true;
      });
    });
  });
});
