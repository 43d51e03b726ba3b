import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stageBuildContext } from "../../src/infra/buildContext";
import { runtimeBuildInputs } from "../../src/plan/dockerfile";
import { llmopsRuntimeRoot } from "../../src/plan/load/runtimeSources";
import type { ImagePlan } from "../../src/plan/types";

describe("infra: the llmops image's build context", () => {
  const roots: string[] = [];
  after(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

  it("holds the runtime's build inputs and the flow under flow/, and nothing else (no node_modules, no by-products)", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-context-"));
    roots.push(root);
    const flowDir = path.resolve(__dirname, "../../flows/support_ticket_classifier");
    const image: ImagePlan = { repository: "llmops/x", tag: "abcdef012345", platform: "linux/amd64", dockerfile: "", engine: "llmops", contextDir: flowDir, runtimeDir: llmopsRuntimeRoot, port: 8080 };
    const context = stageBuildContext(image, root);
    assert.deepEqual(fs.readdirSync(context).filter((name) => name !== ".staged").sort(), ["config", "flow", ...runtimeBuildInputs.filter((entry) => !entry.includes("/"))].sort());
    assert.ok(fs.existsSync(path.join(context, "src/cli/entry.ts")));
    assert.ok(fs.existsSync(path.join(context, "src/flow/python/worker.py")));
    assert.ok(fs.existsSync(path.join(context, "flow/flow.dag.yaml")));
    assert.ok(!fs.readdirSync(context, { recursive: true, encoding: "utf8" }).some((file) => file.includes("node_modules") || file.endsWith(".pyc")));
    // The same tag reuses the staged folder.
    assert.equal(stageBuildContext(image, root), context);
    // The promptflow recipe builds on the flow folder itself.
    assert.equal(stageBuildContext({ ...image, engine: "promptflow" }, root), flowDir);
  });
});
