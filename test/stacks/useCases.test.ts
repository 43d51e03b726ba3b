import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { affectedUseCases, groupUseCases, matrixOf, readStackSummaries, useCaseOfStack, type StackSummary } from "../../src/stacks/useCases";
import { UserError } from "../../src/core/userError";
import { runLlmops } from "../evaluation/phases/cliSupport";

const flat: StackSummary[] = [
  { stack: "dev", environment: "dev", sources: ["config/deployment_config.json", "flows/", "flows/support_ticket_classifier/"] },
  { stack: "prod", environment: "prod", sources: ["config/deployment_config.json", "flows/", "flows/support_ticket_classifier/"] },
];
const ner: StackSummary[] = [
  { stack: "ner-dev", useCase: "named_entity_recognition", environment: "dev", sources: ["named_entity_recognition/"] },
  { stack: "ner-prod", useCase: "named_entity_recognition", environment: "prod", sources: ["named_entity_recognition/"] },
];
const web: StackSummary[] = [{ stack: "web-dev", useCase: "web_classification", environment: "dev", sources: ["web_classification/"] }];

function stackFile(root: string, stack: string, config: Record<string, string>): void {
  const lines = [
    "config:",
    "  llmops:subscriptionId: 3f2b8c1e-5d4a-4e6f-9b7c-0a1d2e3f4a5b",
    "  llmops:location: westeurope",
    "  llmops:resourceGroupName: rg-llmops",
    "  llmops:workspaceName: mlw-llmops",
    "  llmops:keyVault:",
    "    name: kv-llmops",
    "  llmops:containerRegistry:",
    "    name: crllmops",
    ...Object.entries(config).map(([key, value]) => `  llmops:${key}: ${value}`),
    "",
  ];
  fs.writeFileSync(path.join(root, `Pulumi.${stack}.yaml`), lines.join("\n"));
}

describe("stacks: use cases for CI", function () {
  this.timeout(60_000);
  it("groups stacks by llmops:useCase, the flat layout as 'default', each with its dev and prod stack and its paths", () => {
    const useCases = groupUseCases([...flat, ...ner, ...web]);
    assert.deepEqual(
      useCases.map((u) => [u.useCase, u.id, u.devStack, u.prodStack, u.stacks, u.productionLog, u.paths]),
      [
        ["default", "default", "dev", "prod", "dev prod", "flows/data/production_log.jsonl", ["Pulumi.dev.yaml", "Pulumi.prod.yaml", "config/deployment_config.json", "flows/"]],
        [
          "named_entity_recognition",
          "named_entity_recognition",
          "ner-dev",
          "ner-prod",
          "ner-dev ner-prod",
          "named_entity_recognition/data/production_log.jsonl",
          ["Pulumi.ner-dev.yaml", "Pulumi.ner-prod.yaml", "named_entity_recognition/"],
        ],
        ["web_classification", "web_classification", "web-dev", "", "web-dev", "web_classification/data/production_log.jsonl", ["Pulumi.web-dev.yaml", "web_classification/"]],
      ],
    );
    assert.deepEqual(Object.keys(matrixOf(useCases).include[0]).sort(), ["devStack", "id", "prodStack", "productionLog", "stacks", "useCase"]);
  });

  it("runs only the use cases a change touches; shared files run all, documentation none", () => {
    const useCases = groupUseCases([...flat, ...ner, ...web]);
    const names = (files: string[]) => affectedUseCases(useCases, files).map((u) => u.useCase);
    assert.deepEqual(names(["named_entity_recognition/flows/ner/flow.dag.yaml"]), ["named_entity_recognition"]);
    assert.deepEqual(names(["Pulumi.ner-prod.yaml", "web_classification/experiment.yaml"]), ["named_entity_recognition", "web_classification"]);
    assert.deepEqual(names(["flows/support_ticket_classifier/classify.py"]), ["default"]);
    assert.deepEqual(names(["config/deployment_config.json"]), ["default"]);
    assert.deepEqual(names(["README.md", "docs/setup.md"]), []);
    assert.deepEqual(names(["named_entity_recognition/README.md"]), ["named_entity_recognition"], "a use case's own notes are its files");
    assert.deepEqual(names(["src/infra/llmopsStack.ts"]), ["default", "named_entity_recognition", "web_classification"]);
    assert.deepEqual(names([".github/workflows/deploy.yml", "named_entity_recognition/x.py"]), ["default", "named_entity_recognition", "web_classification"]);
    assert.deepEqual(names(["config/schema/deployment_config.schema.json"]), ["default", "named_entity_recognition", "web_classification"], "the schema is shared");
    assert.deepEqual(names(["", "  "]), []);
  });

  it("finds the use case of a stack, and refuses a use case CI cannot deploy", () => {
    const useCases = groupUseCases([...flat, ...ner]);
    assert.equal(useCaseOfStack(useCases, "ner-prod").useCase, "named_entity_recognition");
    assert.throws(() => useCaseOfStack(useCases, "qa"), (err: unknown) => err instanceof UserError && /no Pulumi\.qa\.yaml/.test(err.message));
    assert.throws(
      () => groupUseCases([{ ...ner[1] }]),
      (err: unknown) => err instanceof UserError && /use case 'named_entity_recognition' has no stack with llmops:environment dev/.test(err.message),
    );
    assert.throws(
      () => groupUseCases([...ner, { ...ner[0], stack: "ner-dev2" }]),
      (err: unknown) => err instanceof UserError && /2 stacks with llmops:environment dev \(Pulumi\.ner-dev\.yaml, Pulumi\.ner-dev2\.yaml\)/.test(err.message),
    );
    assert.throws(
      () => groupUseCases([{ ...web[0], useCase: "a/b" }, { ...web[0], stack: "x-dev", useCase: "a-b" }]),
      (err: unknown) => err instanceof UserError && /both become 'a-b'/.test(err.message),
    );
  });

  it("reads each Pulumi.<stack>.yaml: use-case folders, and the files a flat stack names", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-use-cases-"));
    try {
      stackFile(root, "dev", { environment: "dev" });
      stackFile(root, "prod", { environment: "prod", flowPath: "flows/other_flow", deploymentConfigPath: "config/prod.json" });
      stackFile(root, "ner-dev", { environment: "dev", useCase: "named_entity_recognition" });
      fs.writeFileSync(path.join(root, "Pulumi.yaml"), "name: llmops\nruntime: nodejs\n");
      assert.deepEqual(readStackSummaries(root), [
        { stack: "dev", environment: "dev", sources: ["config/deployment_config.json", "flows/", "flows/support_ticket_classifier/"] },
        { stack: "ner-dev", useCase: "named_entity_recognition", environment: "dev", sources: ["named_entity_recognition/"] },
        { stack: "prod", environment: "prod", sources: ["config/prod.json", "flows/", "flows/other_flow/"] },
      ]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("prints the matrix of this repository through the CLI, filtered by a list of changed files", async () => {
    const changed = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "llmops-changed-")), "changed.txt");
    fs.writeFileSync(changed, "README.md\n");
    const run = (args: string[]) => runLlmops(["use-cases", ...args], {});
    const all = await run(["--json"]);
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(JSON.parse(all.stdout), {
      include: [{ useCase: "default", id: "default", devStack: "dev", prodStack: "prod", stacks: "dev prod", productionLog: "flows/data/production_log.jsonl" }],
    });
    const docsOnly = await run(["--json", "--changed", changed]);
    assert.deepEqual(JSON.parse(docsOnly.stdout), { include: [] });
    const unknown = await run(["--stack", "staging"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^llmops use-cases: no Pulumi\.staging\.yaml/);
  });
});
