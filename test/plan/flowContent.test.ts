import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { environmentVersion } from "../../src/infra/imageSpecs";
import { buildHashOf } from "../../src/plan/assetNames";
import { dockerfileText } from "../../src/plan/dockerfile";
import { contentHashOf } from "../../src/plan/flowFolder";
import { readFlowFiles } from "../../src/flow/flowFolder";
import { deploymentConfig, projectsRemovedAfterSuite, managedEntry, plan, stackConfig } from "./fixtures";

/** dev: blue 90 / green 10; prod: blue pinned to model version 7, 50 / 50; `extra` on both entries. */
function blueGreenConfig(extra: Record<string, unknown> = {}) {
  return deploymentConfig({
    managed: [
      managedEntry({ PRIOR_DEPLOYMENT_NAME: "blue", PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION: 90, CURRENT_DEPLOYMENT_NAME: "green", CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: 10, ...extra }),
      managedEntry({ ENV_NAME: "prod", ENDPOINT_NAME: "ticket-endpoint-prod", PRIOR_DEPLOYMENT_NAME: "blue", PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION: 50, CURRENT_DEPLOYMENT_NAME: "green", CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: 50, PRIOR_DEPLOYMENT_MODEL_VERSION: "7", ...extra }),
    ],
  });
}

describe("flow content identity", () => {
  const project = projectsRemovedAfterSuite();

  it("changes the content hash, model version and image tag when a flow file changes; frozen and pinned deployments keep serving what they serve", () => {
    const p = project(
      blueGreenConfig(),
    );
    const before = plan(p);
    const beforePinned = plan(p, { stack: "prod", stackConfig: stackFor("prod") });
    p.writeFile("flows/classifier/classify.py", "from promptflow import tool\n\n@tool\ndef classify(ticket: str) -> str:\n    return 'billing'\n");
    const after = plan(p);
    const afterPinned = plan(p, { stack: "prod", stackConfig: stackFor("prod") });

    assert.notEqual(after.flow.contentHash, before.flow.contentHash);
    assert.notEqual(after.flow.model.version, before.flow.model.version);
    assert.notEqual(after.image.tag, before.image.tag);
    assert.notEqual(after.flow.model.datastorePath, before.flow.model.datastorePath);
    assert.equal(after.tags["flow-content-hash"], after.flow.contentHash);

    const serves = (result: typeof before) => Object.fromEntries(result.endpoint!.deployments.map((d) => [d.name, d.serves]));
    assert.deepEqual(serves(before), { green: { kind: "candidate" }, blue: { kind: "frozen" } });
    assert.deepEqual(serves(after), serves(before), "the prior stays frozen; only the candidate picks up the new build");
    assert.deepEqual(serves(afterPinned), { green: { kind: "candidate" }, blue: { kind: "pinned", modelVersion: "7" } });
    assert.deepEqual(serves(afterPinned), serves(beforePinned));
    assert.deepEqual(after.roleAssignments, before.roleAssignments, "role assignment keys do not depend on the build");
  });

  it("names a new build when only the serving recipe (base image) changes; same config, same versions; frozen and pinned unaffected", () => {
    const entries = (baseImage: string | undefined) => blueGreenConfig(baseImage !== undefined ? { DEPLOYMENT_BASE_IMAGE_NAME: baseImage } : {});
    const p = project(entries(undefined));
    const before = plan(p);
    const again = plan(p);
    const beforePinned = plan(p, { stack: "prod", stackConfig: stackFor("prod") });
    assert.equal(again.flow.model.version, before.flow.model.version, "an unchanged config plans the same build");
    assert.equal(again.image.tag, before.image.tag);
    assert.equal(again.image.dockerfile, before.image.dockerfile);

    // The llmops image's base is a stack setting, pinned by digest.
    const newBase = `myregistry.azurecr.io/node-python@sha256:${"a".repeat(64)}`;
    const serving = JSON.stringify({ baseImage: newBase });
    const after = plan(p, { stackConfig: stackConfig({ serving }) });
    const afterPinned = plan(p, { stack: "prod", stackConfig: { ...stackFor("prod"), serving } });

    assert.equal(after.flow.contentHash, before.flow.contentHash, "the flow files did not change");
    assert.equal(after.flow.model.datastorePath, before.flow.model.datastorePath, "the upload is content-addressed by the flow alone");
    assert.ok(after.image.dockerfile.split("\n").includes(`FROM --platform=linux/amd64 ${newBase}`));
    assert.notEqual(after.flow.buildHash, before.flow.buildHash);
    assert.notEqual(after.flow.model.version, before.flow.model.version, "a new model version");
    assert.notEqual(after.image.tag, before.image.tag, "a new image tag");
    assert.notEqual(environmentVersion(after.image), environmentVersion(before.image), "a new environment version, not a re-PUT of an immutable one");
    // Model, environment and image share one version string, so a pinned model version still finds its environment.
    assert.equal(after.flow.model.version, after.image.tag);
    assert.equal(environmentVersion(after.image), after.flow.model.version);

    const serves = (result: typeof before) => Object.fromEntries(result.endpoint!.deployments.map((d) => [d.name, d.serves]));
    assert.deepEqual(serves(after), { green: { kind: "candidate" }, blue: { kind: "frozen" } });
    assert.deepEqual(serves(afterPinned), serves(beforePinned));
    assert.deepEqual(serves(afterPinned), { green: { kind: "candidate" }, blue: { kind: "pinned", modelVersion: "7" } });
  });

  it("derives the build hash from the Dockerfile text: a different start recipe over the same flow is a different build", () => {
    const content = "c".repeat(64);
    const one = buildHashOf(content, dockerfileText({ engine: "llmops", flowName: "f", contentHash: content, baseImage: "a/b:1" }));
    assert.equal(one, buildHashOf(content, dockerfileText({ engine: "llmops", flowName: "f", contentHash: content, baseImage: "a/b:1" })));
    assert.notEqual(one, buildHashOf(content, dockerfileText({ engine: "llmops", flowName: "f", contentHash: content, baseImage: "a/b:1" }) + "RUN true\n"));
    assert.notEqual(one, buildHashOf("d".repeat(64), dockerfileText({ engine: "llmops", flowName: "f", contentHash: content, baseImage: "a/b:1" })));
  });

  it("ignores run by-products: __pycache__, .promptflow, .runs and *.pyc", () => {
    const p = project();
    const before = plan(p).flow;
    p.writeFile("flows/classifier/__pycache__/classify.cpython-311.pyc", "bytecode");
    p.writeFile("flows/classifier/.promptflow/flow.tools.json", "{}");
    p.writeFile("flows/classifier/.runs/run-1/output.jsonl", "{}");
    p.writeFile("flows/classifier/stale.pyc", "bytecode");
    const after = plan(p).flow;
    assert.equal(after.contentHash, before.contentHash);
    assert.deepEqual(after.files.map((f) => f.relativePath), before.files.map((f) => f.relativePath));
  });

  it("includes nested files with POSIX paths, and renaming a file changes the hash", () => {
    const p = project();
    p.writeFile("flows/classifier/prompts/classify.jinja2", "system:\nClassify.\n");
    const files = readFlowFiles(path.join(p.root, "flows/classifier"));
    assert.ok(files.some((f) => f.relativePath === "prompts/classify.jinja2"));
    const renamed = files.map((f) => (f.relativePath === "prompts/classify.jinja2" ? { ...f, relativePath: "prompts/other.jinja2" } : f));
    assert.notEqual(contentHashOf(renamed), contentHashOf(files));
  });

  it("does not depend on where the project sits on disk or on listing order", () => {
    const p = project();
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-copy-"));
    fs.cpSync(p.root, copy, { recursive: true });
    try {
      assert.equal(plan({ ...p, root: copy }).flow.contentHash, plan(p).flow.contentHash);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
    const files = readFlowFiles(path.join(p.root, "flows/classifier"));
    assert.equal(contentHashOf([...files].reverse()), contentHashOf(files));
  });
});

function stackFor(environment: string): Record<string, string> {
  return {
    environment,
    subscriptionId: "00000000-1111-2222-3333-444444444444",
    location: "westeurope",
    resourceGroupName: `rg-llmops-${environment}`,
    workspaceName: `mlw-llmops-${environment}`,
    keyVault: JSON.stringify({ name: `kv-llmops-${environment}` }),
    containerRegistry: JSON.stringify({ name: `crllmops${environment}` }),
    flowPath: "flows/classifier",
  };
}
