/**
 * Runs the flows' Python tools with plain `python3`, the way a prompt flow runtime would call them, but with a tiny
 * fake `promptflow` package on PYTHONPATH (tool = identity decorator, log_metric records into a dict). Many calls
 * share one interpreter so the suite stays fast.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface ToolCall {
  /** The tool's .py file. */
  file: string;
  kwargs: Record<string, unknown>;
}

export interface ToolResult {
  result?: unknown;
  error?: string;
  /** Metrics logged with log_metric during this call. */
  metrics: Record<string, unknown>;
}

const fakePromptflow = `
_metrics = {}

def tool(func=None, **_options):
    if func is None:
        return lambda inner: inner
    func.__is_tool__ = True
    return func

def log_metric(key, value, variant_id=None):
    _metrics[key] = value
`;

const driver = `
import importlib.util, inspect, json, sys
import promptflow

calls = json.load(sys.stdin)
results = []
for index, call in enumerate(calls):
    promptflow._metrics.clear()
    spec = importlib.util.spec_from_file_location("tool_%d" % index, call["file"])
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        tools = [f for _, f in inspect.getmembers(module, inspect.isfunction) if getattr(f, "__is_tool__", False)]
        if len(tools) != 1:
            raise RuntimeError("expected exactly one @tool function, found %d" % len(tools))
        value = tools[0](**call["kwargs"])
        results.append({"result": value, "metrics": dict(promptflow._metrics)})
    except Exception as error:
        results.append({"error": "%s: %s" % (type(error).__name__, error), "metrics": dict(promptflow._metrics)})
json.dump(results, sys.stdout)
`;

export function runPythonTools(calls: ToolCall[]): ToolResult[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-pytools-"));
  try {
    fs.mkdirSync(path.join(dir, "promptflow"));
    fs.writeFileSync(path.join(dir, "promptflow", "__init__.py"), fakePromptflow);
    fs.writeFileSync(path.join(dir, "promptflow", "core.py"), "from promptflow import tool, log_metric\n");
    fs.writeFileSync(path.join(dir, "driver.py"), driver);
    const run = spawnSync("python3", [path.join(dir, "driver.py")], {
      input: JSON.stringify(calls),
      encoding: "utf8",
      env: { ...process.env, PYTHONPATH: dir, PYTHONDONTWRITEBYTECODE: "1" },
      timeout: 20_000,
    });
    if (run.status !== 0) throw new Error(`python3 failed (${String(run.status)}): ${run.stderr}`);
    return JSON.parse(run.stdout) as ToolResult[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Calls one tool once; throws when the tool raised. */
export function callTool(file: string, kwargs: Record<string, unknown>): ToolResult {
  const [result] = runPythonTools([{ file, kwargs }]);
  if (!result || result.error) throw new Error(result?.error ?? "no result");
  return result;
}
