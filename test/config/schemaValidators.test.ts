/**
 * The validators `npm run build` generates (ajv standalone code in dist/config/schemaValidators.js) must refuse
 * exactly what the schemas compiled at run time refuse, with the same errors in the same order: the one-line
 * ConfigError messages are built from them, and the compiled CLI and the sources through tsx must print the same.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as vm from "node:vm";
import type { ValidateFunction } from "ajv";
import { compileValidator, standaloneValidatorsModule, type SchemaName } from "../../src/config/schemaValidation";
import { sha256Hex } from "../../src/core/sha256";
import { parseYaml } from "../../src/core/yaml";

const root = path.resolve(__dirname, "../..");

/** Loads the generated module the way Node's CommonJS loader does, resolving its ajv runtime requires from here. */
function loadGenerated(code: string): Record<string, ValidateFunction | undefined> {
  const wrapped = vm.runInThisContext(`(function (exports, require, module) {${code}\n})`) as (e: object, r: NodeJS.Require, m: object) => void;
  const module = { exports: {} as Record<string, ValidateFunction | undefined> };
  wrapped(module.exports, createRequire(__filename), module);
  return module.exports;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const replacements: Json[] = [null, true, 0, -1, 1.5, 1e11, "", " ", "x".repeat(300), "Bad Name!", [], [1, "a"], {}, { unexpected: 1 }];

/** Every document one edit away from `document`: each value replaced, each key removed, an unknown key added. */
function* mutations(document: Json): Generator<Json> {
  yield document;
  if (Array.isArray(document)) {
    for (let i = 0; i < document.length; i++) {
      for (const inner of mutations(document[i])) yield document.map((item, j) => (j === i ? inner : item));
      yield document.filter((_, j) => j !== i);
    }
    for (const value of replacements) yield value;
  } else if (document !== null && typeof document === "object") {
    for (const key of Object.keys(document)) {
      for (const inner of mutations(document[key])) yield { ...document, [key]: inner };
      const { [key]: _removed, ...rest } = document;
      yield rest;
    }
    yield { ...document, unexpectedKey: "x" };
  } else {
    for (const value of replacements) yield value;
  }
}

const samples: Record<SchemaName, Json[]> = {
  deployment_config: [JSON.parse(fs.readFileSync(path.join(root, "config/deployment_config.json"), "utf8")) as Json],
  "stack-config": ["Pulumi.dev.yaml", "Pulumi.prod.yaml"].map((file) => parseYaml(fs.readFileSync(path.join(root, file), "utf8"), file) as Json),
  experiment: [parseYaml(fs.readFileSync(path.join(root, "flows/experiment.yaml"), "utf8"), "flows/experiment.yaml") as Json],
};

describe("schema validators precompiled by the build", () => {
  const generated = loadGenerated(standaloneValidatorsModule());

  for (const name of Object.keys(samples) as SchemaName[]) {
    it(`${name}: the same verdict and the same errors as the schema compiled at run time`, () => {
      const schemaText = fs.readFileSync(path.join(root, "config/schema", `${name}.schema.json`), "utf8");
      const precompiled = generated[`${name}:${sha256Hex(schemaText)}`];
      assert.ok(precompiled, `no generated validator for ${name} at its current content`);
      const compiled = compileValidator(name);
      let checked = 0;
      let refused = 0;
      for (const sample of samples[name]) {
        for (const document of mutations(sample)) {
          const verdict = compiled(document);
          assert.equal(precompiled(document), verdict, JSON.stringify(document).slice(0, 300));
          assert.deepEqual(precompiled.errors ?? null, compiled.errors ?? null, JSON.stringify(document).slice(0, 300));
          checked++;
          if (!verdict) refused++;
        }
      }
      assert.ok(refused > 100 && checked > refused, `${checked} documents, ${refused} refused`);
    });
  }

  it("has no validator for a schema whose file changed after the build", () => {
    const keys = Object.keys(generated);
    assert.deepEqual(keys.map((key) => key.split(":")[0]).sort(), ["deployment_config", "experiment", "stack-config"]);
    assert.equal(generated[`deployment_config:${sha256Hex("{}")}`], undefined);
  });
});
