import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const projectRoot = path.resolve(__dirname, "..", "..");
const entry = path.join(__dirname, "fixtures", "programEntry.ts");

function runEntry(stackFileText: string | undefined): Record<string, unknown> {
  let root = projectRoot;
  if (stackFileText !== undefined) {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-entry-"));
    fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), stackFileText);
  }
  const result = spawnSync(process.execPath, ["--require", require.resolve("tsx/cjs"), entry, root, "dev"], {
    cwd: projectRoot,
    // `pulumi up` in CI has the Web App connection's endpoint; the program refuses to deploy without it.
    env: { ...process.env, AOAI_API_BASE: "https://aoai-llmops-dev.openai.azure.com/" },
    encoding: "utf8",
    timeout: 180_000,
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe("infra: the Pulumi program entry (src/index.ts)", function () {
  this.timeout(200_000);

  it("reads the llmops: config, declares the stack and exports its outputs", () => {
    const result = runEntry(undefined);
    assert.equal(result.ok, true, String(result.message));
    const outputs = result.outputs as Record<string, unknown>;
    assert.equal(outputs.stack, "dev");
    assert.match(String(outputs.scoringUri), /^https:\/\/.+\.westeurope\.inference\.ml\.azure\.com\/score$/);
    assert.match(String(outputs.imageRepoDigest), /@sha256:[0-9a-f]{64}$/);
    assert.ok(Array.isArray(outputs.deploymentNames));
  });

  it("reports a config mistake as a RunError: one line Pulumi prints without a stack trace", () => {
    // The program reads Pulumi.dev.yaml's config through Pulumi, so break a value Pulumi hands over.
    const broken = fs.readFileSync(path.join(projectRoot, "Pulumi.dev.yaml"), "utf8").replace(/llmops:subscriptionId: .*/, "llmops:subscriptionId: not-a-guid");
    const result = runEntry(broken);
    assert.equal(result.ok, false);
    assert.equal(result.runError, true);
    assert.match(String(result.message), /^Pulumi\.dev\.yaml: .*subscriptionId.*expected/);
    assert.ok(!String(result.message).includes("\n"), "a single line");
  });
});
