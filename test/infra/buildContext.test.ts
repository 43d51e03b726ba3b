import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stageBuildContext } from "../../src/infra/buildContext";
import { defaultBaseImage, dockerfileText, runtimeBuildInputs } from "../../src/plan/dockerfile";
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

  it("compiles the runtime from the staged context as the Dockerfile's first stage does (its COPY lines, then npm run build)", function () {
    this.timeout(300_000);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-context-"));
    roots.push(root);
    const flowDir = path.resolve(__dirname, "../../flows/support_ticket_classifier");
    const image: ImagePlan = { repository: "llmops/x", tag: "abcdef012346", platform: "linux/amd64", dockerfile: "", engine: "llmops", contextDir: flowDir, runtimeDir: llmopsRuntimeRoot, port: 8080 };
    const context = stageBuildContext(image, root);
    const dockerfile = dockerfileText({ engine: "llmops", flowName: "x", contentHash: "abcdef012346", baseImage: defaultBaseImage });
    const firstStage = dockerfile.split("\n").slice(0, dockerfile.split("\n").findIndex((line, i) => i > 2 && line.startsWith("FROM ")));
    const workdir = path.join(root, "runtime-stage");
    fs.mkdirSync(workdir);
    for (const line of firstStage) {
      if (line.startsWith("COPY ")) {
        const parts = line.slice("COPY ".length).split(" ");
        const target = path.join(workdir, parts[parts.length - 1]);
        for (const source of parts.slice(0, -1)) {
          fs.cpSync(path.join(context, source), parts.length > 2 ? path.join(target, path.basename(source)) : target, { recursive: true });
        }
      } else if (line.startsWith("RUN npm ci")) {
        fs.symlinkSync(path.join(llmopsRuntimeRoot, "node_modules"), path.join(workdir, "node_modules"));
      } else if (line.startsWith("RUN npm run build")) {
        const build = spawnSync(process.execPath, [path.join(workdir, "src/cli/compiledOrSource.cjs"), "build"], { cwd: workdir, encoding: "utf8" });
        assert.equal(build.status, 0, build.stdout + build.stderr);
      }
    }
    assert.ok(fs.existsSync(path.join(workdir, "dist/cli/entry.js")));
    assert.ok(fs.existsSync(path.join(workdir, "dist/config/schemaValidators.js")), "the schemas' validators are generated in the image too");
  });
});
