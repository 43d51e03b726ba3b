import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { dockerfileText } from "../../src/plan/dockerfile";

/**
 * The serving image's CMD, run for real with /bin/sh: `python` is the machine's Python 3 with a stand-in
 * `promptflow` package on PYTHONPATH that records how the serving app was created and started, and `pf` is a
 * stand-in that records its arguments. What matters to a user: on an Azure ML deployment (PRT_CONFIG_OVERRIDE
 * set) the flow's connections come from the workspace, which only prompt flow's AzureML serving extension does;
 * `pf flow serve` resolves connections from the container's empty local store.
 */
describe("serving image command (engine promptflow)", () => {
  let root: string;
  let cmd: string[];

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-serving-cmd-"));
    const line = dockerfileText({ engine: "promptflow", flowName: "classifier", contentHash: "ab".repeat(32), baseImage: "b/c:d" })
      .trim()
      .split("\n")
      .at(-1);
    assert.ok(line !== undefined && line.startsWith("CMD "), "the Dockerfile ends with its CMD");
    const parsed: unknown = JSON.parse(line.slice(4));
    assert.ok(Array.isArray(parsed) && parsed.every((part) => typeof part === "string"), "exec-form CMD (a JSON string array)");
    cmd = parsed;

    const bin = path.join(root, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "pf"), '#!/bin/sh\nprintf "pf %s\\n" "$*" > "$RECORD"\n', { mode: 0o755 });
    // `python` → the machine's python3 (found on the outer PATH at test time).
    fs.writeFileSync(path.join(bin, "python"), `#!/bin/sh\nexec ${pythonPath()} "$@"\n`, { mode: 0o755 });
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  function fakePromptflow(layout: "core" | "sdk"): string {
    const site = path.join(root, `site-${layout}`);
    const modulePath = layout === "core" ? ["promptflow", "core", "_serving"] : ["promptflow", "_sdk", "_serving"];
    let dir = site;
    for (const part of modulePath) {
      dir = path.join(dir, part);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "__init__.py"), "");
    }
    fs.writeFileSync(
      path.join(dir, "app.py"),
      [
        "import json, os",
        "class _App:",
        "    def __init__(self, kwargs):",
        "        self.kwargs = kwargs",
        "    def run(self, host=None, port=None):",
        "        with open(os.environ['RECORD'], 'w') as out:",
        `            json.dump({'module': ${JSON.stringify(layout)}, 'create_app': self.kwargs, 'host': host, 'port': port}, out)`,
        "def create_app(**kwargs):",
        "    return _App(kwargs)",
        "",
      ].join("\n"),
    );
    return site;
  }

  function runCmd(env: Record<string, string>): string {
    const record = path.join(root, `record-${Math.random().toString(36).slice(2)}`);
    const result = spawnSync(cmd[0], cmd.slice(1), {
      env: { PATH: `${path.join(root, "bin")}:/usr/bin:/bin`, RECORD: record, ...env },
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(result.status, 0, `CMD failed: ${result.stderr}`);
    return fs.readFileSync(record, "utf8");
  }

  it("on an Azure ML deployment, starts prompt flow's serving app with the AzureML extension on 0.0.0.0:8080", () => {
    const recorded = JSON.parse(runCmd({ PRT_CONFIG_OVERRIDE: "deployment.subscription_id=s", PYTHONPATH: fakePromptflow("core") })) as unknown;
    assert.deepEqual(recorded, { module: "core", create_app: { extension_type: "azureml" }, host: "0.0.0.0", port: 8080 });
  });

  it("falls back to the serving app's pre-1.8 module path on older prompt flow base images", () => {
    const recorded = JSON.parse(runCmd({ PRT_CONFIG_OVERRIDE: "deployment.subscription_id=s", PYTHONPATH: fakePromptflow("sdk") })) as unknown;
    assert.deepEqual(recorded, { module: "sdk", create_app: { extension_type: "azureml" }, host: "0.0.0.0", port: 8080 });
  });

  it("elsewhere (Web App, docker run) serves the flow at /flow with pf on 0.0.0.0:8080 and opens no browser", () => {
    assert.equal(runCmd({}).trim(), "pf flow serve --source /flow --host 0.0.0.0 --port 8080 --skip-open-browser");
  });
});

function pythonPath(): string {
  const found = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).stdout?.trim() ?? "";
  assert.ok(found !== "", "python3 on PATH (the test runs the CMD's Python for real)");
  return found;
}
