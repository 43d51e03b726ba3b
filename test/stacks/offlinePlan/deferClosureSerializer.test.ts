/**
 * The plan worker defers Pulumi's closure serialiser and code-path finder: loading the SDK must not load them
 * (nor the TypeScript compiler and arborist behind them), and calling them must still work as the SDK's own.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import * as codePaths from "@pulumi/pulumi/runtime/closure/codePaths";
import * as serializeClosure from "@pulumi/pulumi/runtime/closure/serializeClosure";
import { deferredPulumiModules } from "../../../src/stacks/offlinePlan/deferClosureSerializer";

const deferModule = path.resolve(__dirname, "../../../src/stacks/offlinePlan/deferClosureSerializer.ts");

/** Runs `script` in a fresh Node with tsx, after the deferral when `deferred`; returns its stdout as JSON. */
function inFreshProcess(script: string, deferred: boolean): unknown {
  const preload = deferred ? `require(${JSON.stringify(deferModule)});` : "";
  const result = spawnSync(process.execPath, ["--require", "tsx/cjs", "-e", `${preload}${script}`], { encoding: "utf8", cwd: path.resolve(__dirname, "../../..") });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as unknown;
}

const loadedHeavyModules = `
  const loaded = () => Object.keys(require.cache).filter((f) => /node_modules\\/(typescript|@npmcli\\/arborist)\\//.test(f)).length > 0;
  const pulumi = require("@pulumi/pulumi");
  const atLoad = loaded();
  pulumi.runtime.serializeFunction(() => 6 * 7).then((serialized) => {
    process.stdout.write(JSON.stringify({ atLoad, afterCall: loaded(), text: serialized.text }));
  });
`;

describe("plan worker: Pulumi's closure serialiser deferred", () => {
  it("stands in for exactly the functions the SDK's modules export", () => {
    const sdk: Record<keyof typeof deferredPulumiModules, object> = {
      "@pulumi/pulumi/runtime/closure/serializeClosure": serializeClosure,
      "@pulumi/pulumi/runtime/closure/codePaths": codePaths,
    };
    for (const [request, names] of Object.entries(deferredPulumiModules)) {
      const real = sdk[request as keyof typeof deferredPulumiModules] as Record<string, unknown>;
      const functions = Object.keys(real).filter((name) => typeof real[name] === "function");
      assert.deepEqual([...names].sort(), functions.sort(), request);
    }
  });

  it("keeps the TypeScript compiler and arborist unloaded until a function is serialised, then serialises as the SDK does", function () {
    this.timeout(60_000);
    const deferred = inFreshProcess(loadedHeavyModules, true) as { atLoad: boolean; afterCall: boolean; text: string };
    const direct = inFreshProcess(loadedHeavyModules, false) as { atLoad: boolean; afterCall: boolean; text: string };
    assert.equal(direct.atLoad, true, "the SDK alone loads them (else the deferral is no longer needed)");
    assert.equal(deferred.atLoad, false);
    assert.equal(deferred.afterCall, true);
    assert.equal(deferred.text, direct.text);
    assert.match(deferred.text, /6 \* 7/);
  });
});
