/**
 * Imported first by the plan worker, before anything loads the Pulumi SDK. The SDK's runtime loads its closure
 * serialiser (which loads the TypeScript compiler, 9 MB of JavaScript) and its code-path finder (npm's arborist
 * and some forty packages behind it) as it starts, for `serializeFunction` and `computeCodePaths`. An offline plan
 * calls neither (it declares EndpointTraffic without serialising its provider, see infra/endpointTraffic.ts), yet
 * loading them was half of the plan process's module loading. Each module is stood in for by functions that load
 * the real module on their first call, so a caller gets the same behaviour, only later.
 * A process that has already loaded them (a test importing the worker) keeps the real modules.
 */
import Module from "node:module";

type Loaded = Record<string, unknown>;

function deferModule(file: string, functionNames: readonly string[], load: () => Loaded): void {
  if (require.cache[file] !== undefined) return;
  let real: Loaded | undefined;
  const call = (name: string, args: unknown[]): unknown => {
    if (real === undefined) {
      delete require.cache[file];
      real = load();
    }
    const target = real[name];
    if (typeof target !== "function") throw new Error(`${file} has no function ${name}`);
    return (target as (...args: unknown[]) => unknown)(...args);
  };
  const standIn = new Module(file);
  standIn.filename = file;
  standIn.loaded = true;
  standIn.exports = Object.fromEntries(functionNames.map((name) => [name, (...args: unknown[]) => call(name, args)]));
  require.cache[file] = standIn;
}

/** The modules deferred and the functions each exports (test/stacks/offlinePlan checks them against the SDK's). */
export const deferredPulumiModules = {
  "@pulumi/pulumi/runtime/closure/serializeClosure": ["serializeFunction", "serializeFunctionAsync"],
  "@pulumi/pulumi/runtime/closure/codePaths": ["computeCodePaths", "findWorkspaceRoot"],
} as const;

deferModule(
  require.resolve("@pulumi/pulumi/runtime/closure/serializeClosure"),
  deferredPulumiModules["@pulumi/pulumi/runtime/closure/serializeClosure"],
  () => require("@pulumi/pulumi/runtime/closure/serializeClosure") as Loaded,
);
deferModule(
  require.resolve("@pulumi/pulumi/runtime/closure/codePaths"),
  deferredPulumiModules["@pulumi/pulumi/runtime/closure/codePaths"],
  () => require("@pulumi/pulumi/runtime/closure/codePaths") as Loaded,
);
