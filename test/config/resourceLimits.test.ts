/**
 * A pull request runs `llmops plan` in CI, so a stack file, experiment or flow file must not be able to exhaust the
 * machine: only regular files under the size limit are read, YAML aliases are limited, and a recursive alias is a
 * one-line refusal, not a stack trace. These go through the real loaders on top of the one bounded reader and the
 * one YAML reader in src/core.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadExperiment } from "../../src/config/experiment";
import { readStackConfigFile } from "../../src/config/stackConfigFile";
import { ConfigError, UserError } from "../../src/core/userError";
import { parseYaml } from "../../src/core/yaml";
import { loadFlow } from "../../src/flow/loadFlow";
import { nonBlankLines } from "../../src/runs/bulk/jsonlLines";
import { plan, projectsRemovedAfterSuite } from "../plan/fixtures";

function aliasBomb(key: string): string {
  const lines = [`${key}:`, '  a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level < 12; level++) lines.push(`  a${level}: &a${level} [${Array(10).fill(`*a${level - 1}`).join(",")}]`);
  return `${lines.join("\n")}\n`;
}

const recursiveAlias = "config: &c\n  llmops:location: westeurope\n  self: *c\n";

function refusedInOneLine(action: () => unknown, file: RegExp): ConfigError {
  const started = Date.now();
  try {
    action();
  } catch (err) {
    assert.ok(err instanceof UserError, `a user error, not ${String(err)}`);
    assert.ok(!err.message.includes("\n"), err.message);
    assert.ok(Date.now() - started < 5_000, "refused quickly");
    assert.ok(err instanceof ConfigError, err.message);
    assert.match(err.file, file);
    return err;
  }
  assert.fail("expected a refusal");
}

describe("resource limits of the config loaders", () => {
  const project = projectsRemovedAfterSuite();

  it("deployment config: /dev/zero given as --config is refused as not a regular file", () => {
    const p = project();
    const err = refusedInOneLine(() => plan(p, { deploymentConfigPath: "/dev/zero" }), /zero/);
    assert.match(err.message, /regular file/);
  });

  it("deployment config: a symlink to /dev/zero in the project is refused", () => {
    const p = project();
    fs.rmSync(path.join(p.root, "config/deployment_config.json"));
    fs.symlinkSync("/dev/zero", path.join(p.root, "config/deployment_config.json"));
    refusedInOneLine(() => plan(p), /Pulumi\.dev\.yaml|deployment_config/);
  });

  it("deployment config: a file over the size limit is refused by its size", () => {
    const p = project();
    const big = path.join(p.root, "config/deployment_config.json");
    fs.writeFileSync(big, `{"azure_managed_endpoint": [], "x": "${"x".repeat(17 * 1024 * 1024)}"}`);
    assert.match(refusedInOneLine(() => plan(p), /deployment_config\.json/).message, /bytes/);
  });

  describe("stack file", () => {
    it("refuses a YAML alias bomb", () => {
      const p = project();
      p.writeFile("Pulumi.dev.yaml", aliasBomb("config"));
      refusedInOneLine(() => readStackConfigFile(p.root, "dev"), /Pulumi\.dev\.yaml/);
    });
    it("refuses a recursive alias without a stack trace", () => {
      const p = project();
      p.writeFile("Pulumi.dev.yaml", recursiveAlias);
      refusedInOneLine(() => readStackConfigFile(p.root, "dev"), /Pulumi\.dev\.yaml/);
    });
    it("refuses an oversized stack file and one that is not a regular file", () => {
      const p = project();
      p.writeFile("Pulumi.dev.yaml", `config:\n  llmops:location: "${"x".repeat(17 * 1024 * 1024)}"\n`);
      refusedInOneLine(() => readStackConfigFile(p.root, "dev"), /Pulumi\.dev\.yaml/);
      fs.rmSync(path.join(p.root, "Pulumi.dev.yaml"));
      fs.symlinkSync("/dev/zero", path.join(p.root, "Pulumi.dev.yaml"));
      refusedInOneLine(() => readStackConfigFile(p.root, "dev"), /Pulumi\.dev\.yaml/);
    });
  });

  describe("experiment file", () => {
    for (const [what, text] of [
      ["an alias bomb", aliasBomb("datasets")],
      ["a recursive alias", "name: classifier\nflow: classifier\nextra: &e\n  self: *e\n"],
    ] as const) {
      it(`refuses ${what}`, () => {
        const p = project();
        p.writeFile("flows/experiment.yaml", text);
        refusedInOneLine(() => loadExperiment(path.join(p.root, "flows/experiment.yaml"), { environmentVariables: {} }), /experiment\.yaml/);
      });
    }
    it("refuses /dev/zero as the experiment file", () => {
      const p = project();
      fs.rmSync(path.join(p.root, "flows/experiment.yaml"));
      fs.symlinkSync("/dev/zero", path.join(p.root, "flows/experiment.yaml"));
      refusedInOneLine(() => loadExperiment(path.join(p.root, "flows/experiment.yaml"), { environmentVariables: {} }), /experiment\.yaml/);
    });
  });

  describe("flow file", () => {
    for (const [what, text] of [
      ["an alias bomb", aliasBomb("inputs")],
      ["a recursive alias", "inputs: &i\n  self: *i\n"],
      ["an oversized flow.dag.yaml", `inputs: {}\noutputs: {}\nnodes: []\ndescription: "${"x".repeat(17 * 1024 * 1024)}"\n`],
    ] as const) {
      it(`refuses ${what}`, () => {
        const p = project();
        p.writeFile("flows/classifier/flow.dag.yaml", text);
        refusedInOneLine(() => loadFlow(path.join(p.root, "flows/classifier")), /flow\.dag\.yaml/);
      });
    }
  });
});

describe("resource limits: deep YAML nesting", () => {
  it("refuses 50 000 nested [ in one line instead of running out of memory", () => {
    // Before the limit the parser's process died (fatal out-of-memory) on this 100 KB document.
    const text = `a: ${"[".repeat(50_000)}${"]".repeat(50_000)}\n`;
    assert.throws(() => parseYaml(text, "deep.yaml"), (err: unknown) => err instanceof ConfigError && /nested at most 100 levels/.test(err.message));
  });
  it("still reads brackets inside quoted strings and ordinary nesting", () => {
    assert.deepEqual(parseYaml(`a: "${"[".repeat(500)}"\nb: [[1, {c: [2]}]]\n`, "ok.yaml"), { a: "[".repeat(500), b: [[1, { c: [2] }]] });
  });
});

describe("resource limits: dataset lines", () => {
  it("refuses a line longer than the limit, naming the file and line, instead of buffering it whole", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-longline-"));
    try {
      const file = path.join(dir, "rows.jsonl");
      fs.writeFileSync(file, `{"a": 1}\n${"x".repeat(3 * 1024 * 1024)}`);
      const read = async (): Promise<number> => {
        let count = 0;
        for await (const line of nonBlankLines(file, 1024 * 1024)) count += line.text.length > 0 ? 1 : 0;
        return count;
      };
      await assert.rejects(read(), (err: unknown) => err instanceof UserError && err.message.startsWith(`${file}:2: a line longer than`) && !err.message.includes("xxxx"));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
