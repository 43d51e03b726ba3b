import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { createPythonPool, type PythonCall, type PythonPool } from "../../src/flow/pythonPool";
import { cleanupFlowDirs, writeFlowDir } from "./support";

const TOOLS: Record<string, string> = {
  "ok.py": [
    "import os",
    "from promptflow import tool, log_metric",
    "",
    "@tool",
    "def run(a: int, b: int = 10, label=None):",
    "    print('debug output that must not break the protocol')",
    "    os.write(1, b'raw fd 1 write\\n')",
    "    log_metric('accuracy', 0.75)",
    "    log_metric('accuracy', 0.5)",
    "    return {'sum': a + b, 'label': label, 'pid': os.getpid(), 'mode': os.environ.get('FLOW_MODE'), 'cwd': os.getcwd()}",
  ].join("\n"),
  "core.py": "from promptflow.core import tool\n\n@tool(name='named')\ndef run(x):\n    return [x, x]\n",
  "raises.py": [
    "from promptflow.core import tool",
    "",
    "def helper(v):",
    "    raise ValueError('bad value: ' + str(v))",
    "",
    "@tool",
    "def run(v):",
    "    return helper(v)",
  ].join("\n"),
  "crash.py": "import os\nfrom promptflow import tool\n\n@tool\ndef run():\n    os._exit(3)\n",
  "notjson.py": "from promptflow import tool\n\n@tool\ndef run():\n    return {1, 2}\n",
  "notool.py": "def run():\n    return 1\n",
  "sibling.py": "from promptflow import tool\nfrom helpers_mod import double\n\n@tool\ndef run(v):\n    return double(v)\n",
  "helpers_mod.py": "def double(v):\n    return v * 2\n",
};

describe("flow/pythonPool", function () {
  this.timeout(30000);
  let dir: string;
  let pool: PythonPool;
  before(() => {
    dir = writeFlowDir(TOOLS);
    pool = createPythonPool({ size: 2, environment: process.env });
  });
  after(async () => {
    await pool.close();
    cleanupFlowDirs();
  });
  const call = (file: string, kwargs: Record<string, unknown> = {}, extra: Partial<PythonCall> = {}) =>
    pool.call({ toolPath: path.join(dir, file), kwargs, bypassed: [], cwd: dir, env: { FLOW_MODE: "test" }, ...extra });

  it("runs a @tool with kwargs, captures prints and metrics (last write wins), applies env and cwd", async () => {
    const result = await call("ok.py", { a: 1, b: 2 });
    assert.ok(result.ok, JSON.stringify(result));
    const value = result.result as Record<string, unknown>;
    assert.equal(value.sum, 3);
    assert.equal(value.mode, "test");
    assert.equal(value.cwd, dir);
    assert.equal(result.stdout, "debug output that must not break the protocol\n");
    assert.deepEqual(result.metrics, { accuracy: 0.5 });
  });

  it("uses the parameter default for a bypassed input, and None when there is no default", async () => {
    const result = await call("ok.py", { a: 1, b: null, label: null }, { bypassed: ["b", "label"] });
    assert.ok(result.ok);
    assert.deepEqual((result.result as Record<string, unknown>).sum, 11);
    assert.equal((result.result as Record<string, unknown>).label, null);
  });

  it("supports `from promptflow.core import tool` and @tool(...) with options", async () => {
    const result = await call("core.py", { x: "y" });
    assert.deepEqual(result.ok && result.result, ["y", "y"]);
  });

  it("imports sibling modules of the tool's folder", async () => {
    const result = await call("sibling.py", { v: 21 });
    assert.equal(result.ok && result.result, 42);
  });

  it("flows sharing a worker each import their own same-named helper module", async () => {
    // An evaluation runs the flow and its evaluator flows in one pool; both may have a `utils.py`.
    const flowFiles = (label: string): Record<string, string> => ({
      "utils.py": `NAME = "${label}"\n`,
      "tools/use.py": "from promptflow import tool\nimport utils\n\n@tool\ndef run():\n    import lazy_mod\n    return [utils.NAME, lazy_mod.NAME]\n",
      "lazy_mod.py": `NAME = "lazy ${label}"\n`,
    });
    const flowA = writeFlowDir(flowFiles("a"));
    const flowB = writeFlowDir(flowFiles("b"));
    const single = createPythonPool({ size: 1, environment: process.env });
    try {
      const run = (flow: string) => single.call({ toolPath: path.join(flow, "tools/use.py"), kwargs: {}, bypassed: [], cwd: flow, env: {} });
      const answers = [];
      for (const flow of [flowA, flowB, flowA, flowB]) answers.push(await run(flow));
      assert.deepEqual(
        answers.map((answer) => (answer.ok ? answer.result : answer.error.message)),
        [["a", "lazy a"], ["b", "lazy b"], ["a", "lazy a"], ["b", "lazy b"]],
      );
    } finally {
      await single.close();
    }
  });

  it("keeps a folder the flow's own package added to sys.path for its later tools (the template's chat_with_pdf)", async () => {
    const flow = writeFlowDir({
      "pkg/__init__.py": "import os, sys\nsys.path.append(os.path.dirname(os.path.abspath(__file__)))\n",
      "pkg/inner.py": "from helper_in_pkg import VALUE\n",
      "pkg/helper_in_pkg.py": "VALUE = 'found'\n",
      "first.py": "from promptflow import tool\nimport pkg\n\n@tool\ndef run():\n    return 'first'\n",
      "second.py": "from promptflow import tool\nfrom pkg.inner import VALUE\n\n@tool\ndef run():\n    return VALUE\n",
    });
    const single = createPythonPool({ size: 1, environment: process.env });
    try {
      const run = (tool: string) => single.call({ toolPath: path.join(flow, tool), kwargs: {}, bypassed: [], cwd: flow, env: {} });
      const answers = [await run("first.py"), await run("second.py")];
      assert.deepEqual(answers.map((answer) => (answer.ok ? answer.result : answer.error.message)), ["first", "found"]);
    } finally {
      await single.close();
    }
  });

  it("returns the exception type, message and the tool's last frames", async () => {
    const result = await call("raises.py", { v: 5 });
    assert.ok(!result.ok);
    assert.equal(result.error.type, "ValueError");
    assert.equal(result.error.message, "bad value: 5");
    assert.match(result.error.traceback, /raises\.py", line 4, in helper/);
    assert.doesNotMatch(result.error.traceback, /worker\.py/);
  });

  it("reports a non-JSON-serialisable return value and a file without @tool", async () => {
    const notJson = await call("notjson.py");
    assert.ok(!notJson.ok && /not JSON-serialisable/.test(notJson.error.message));
    const noTool = await call("notool.py");
    assert.ok(!noTool.ok && /exactly one @tool function, found none/.test(noTool.error.message));
  });

  it("a call that kills its worker fails alone; the worker is replaced", async () => {
    const before = await call("ok.py", { a: 0 });
    const crash = await call("crash.py");
    assert.ok(!crash.ok);
    assert.equal(crash.error.type, "WorkerCrashed");
    assert.match(crash.error.message, /exited with code 3 while running .*crash\.py/);
    const results = await Promise.all([call("ok.py", { a: 1 }), call("ok.py", { a: 2 }), call("ok.py", { a: 3 })]);
    assert.ok(results.every((r) => r.ok));
    assert.ok(before.ok);
  });

  it("reuses long-lived workers: never more processes than the pool size", async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => call("ok.py", { a: i })));
    const pids = new Set(results.map((r) => (r.ok ? (r.result as Record<string, unknown>).pid : undefined)));
    assert.ok(pids.size <= 2, `expected at most 2 worker processes, saw ${pids.size}`);
    assert.deepEqual(results.map((r) => r.ok && (r.result as Record<string, unknown>).sum), Array.from({ length: 12 }, (_, i) => i + 10));
  });

  it("a call aborted by its line kills the worker and fails with Aborted", async () => {
    const slow = writeFlowDir({ "slow.py": "import time\nfrom promptflow import tool\n\n@tool\ndef run():\n    time.sleep(30)\n" });
    const controller = new AbortController();
    const pending = pool.call({ toolPath: path.join(slow, "slow.py"), kwargs: {}, bypassed: [], cwd: slow, env: {} }, controller.signal);
    setTimeout(() => controller.abort(), 200);
    const result = await pending;
    assert.ok(!result.ok && result.error.type === "Aborted");
    const after = await call("ok.py", { a: 1 });
    assert.ok(after.ok);
  });

  it("a call over callTimeoutMs fails with Timeout and the next call gets a fresh worker", async () => {
    const slow = writeFlowDir({ "slow.py": "import time\nfrom promptflow import tool\n\n@tool\ndef run():\n    time.sleep(30)\n" });
    const own = createPythonPool({ size: 1, callTimeoutMs: 300, environment: process.env });
    try {
      const result = await own.call({ toolPath: path.join(slow, "slow.py"), kwargs: {}, bypassed: [], cwd: slow, env: {} });
      assert.ok(!result.ok && result.error.type === "Timeout");
      const next = await own.call({ toolPath: path.join(dir, "core.py"), kwargs: { x: 1 }, bypassed: [], cwd: dir, env: {} });
      assert.ok(next.ok);
    } finally {
      await own.close();
    }
  });

  it("close() resolves in a process that has nothing else to do (idle workers do not hold it open)", () => {
    const fixture = path.join(__dirname, "closeExit.fixture.ts");
    const out = execFileSync(process.execPath, ["--require", "tsx/cjs", fixture, dir], { encoding: "utf8", timeout: 60000 });
    assert.equal(out, "after-close true\n");
  });

  it("runs the interpreter (PYTHON) and the environment it is given, not this process's", async function () {
    if (process.platform === "win32") this.skip();
    // A wrapper interpreter that marks the workers it starts; this process's own PYTHON points nowhere.
    const bin = writeFlowDir({ "python-wrapper": `#!/bin/sh\nPICKED_BY_WRAPPER=yes exec python3 "$@"\n` });
    const wrapper = path.join(bin, "python-wrapper");
    fs.chmodSync(wrapper, 0o755);
    const tool = writeFlowDir({ "env.py": "import os\nfrom promptflow import tool\n\n@tool\ndef run():\n    return [os.environ.get('PICKED_BY_WRAPPER'), os.environ.get('GIVEN_ONLY')]\n" });
    const saved = process.env.PYTHON;
    process.env.PYTHON = path.join(bin, "no-such-python");
    const own = createPythonPool({ size: 1, environment: { ...process.env, PYTHON: wrapper, GIVEN_ONLY: "from the caller" } });
    try {
      const result = await own.call({ toolPath: path.join(tool, "env.py"), kwargs: {}, bypassed: [], cwd: tool, env: {} });
      assert.ok(result.ok, JSON.stringify(result));
      assert.deepEqual(result.result, ["yes", "from the caller"]);
      assert.equal(process.env.GIVEN_ONLY, undefined);
    } finally {
      await own.close();
      if (saved === undefined) delete process.env.PYTHON;
      else process.env.PYTHON = saved;
    }
  });

  it("fails calls after close()", async () => {
    const own = createPythonPool({ size: 1, environment: process.env });
    const first = await own.call({ toolPath: path.join(dir, "core.py"), kwargs: { x: 1 }, bypassed: [], cwd: dir, env: {} });
    assert.ok(first.ok);
    await own.close();
    const after = await own.call({ toolPath: path.join(dir, "core.py"), kwargs: { x: 1 }, bypassed: [], cwd: dir, env: {} });
    assert.ok(!after.ok && after.error.type === "PoolClosed");
  });
});
