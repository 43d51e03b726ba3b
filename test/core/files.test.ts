import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readTextFile, readYamlFile, writeFileAtomicSync } from "../../src/core/files";
import { findProjectRoot } from "../../src/core/projectRoot";
import { ConfigError, UserError } from "../../src/core/userError";
import { parseYaml } from "../../src/core/yaml";

describe("core: files", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-core-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads a regular file without its byte-order mark", () => {
    const file = path.join(dir, "bom.txt");
    fs.writeFileSync(file, "\uFEFFhello");
    assert.equal(readTextFile(file), "hello");
  });

  it("refuses a missing file, a directory and a file over the size limit with one ConfigError naming the file", () => {
    assert.throws(() => readTextFile(path.join(dir, "nope.yaml")), (err: unknown) => err instanceof ConfigError && err.file.endsWith("nope.yaml") && err.found === "no such file");
    assert.throws(() => readTextFile(dir, { displayName: "flows" }), (err: unknown) => err instanceof ConfigError && err.message === "flows: $: expected a regular file, found a directory");
    const big = path.join(dir, "big.txt");
    fs.writeFileSync(big, "x".repeat(2048));
    assert.throws(() => readTextFile(big, { maxBytes: 1024 }), (err: unknown) => err instanceof ConfigError && /at most 1024 bytes, found 2048 bytes/.test(err.message));
  });

  it("uses the caller's error for a missing file", () => {
    assert.throws(() => readTextFile(path.join(dir, "gone"), { missing: () => new UserError("gone: experiment file not found") }), /experiment file not found/);
  });

  it("writes atomically: the new content replaces the old, no temporary file is left", () => {
    const target = path.join(dir, "sub", "index.json");
    writeFileAtomicSync(target, "old");
    writeFileAtomicSync(target, "new");
    assert.equal(fs.readFileSync(target, "utf8"), "new");
    assert.deepEqual(fs.readdirSync(path.dirname(target)), ["index.json"]);
  });

  it("finds the project root from a nested folder, and nothing outside a project", () => {
    const project = path.join(dir, "project");
    fs.mkdirSync(path.join(project, "flows", "a"), { recursive: true });
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: x\n");
    assert.equal(findProjectRoot(path.join(project, "flows", "a")), project);
    assert.equal(findProjectRoot(dir), undefined);
  });
});

describe("core: yaml", () => {
  it("returns plain data with YAML 1.2 scalars and merge keys", () => {
    assert.deepEqual(parseYaml("base: &b {a: 1}\nmerged:\n  <<: *b\n  c: on\nday: 2024-01-01\n", "x.yaml"), {
      base: { a: 1 },
      merged: { a: 1, c: "on" },
      day: "2024-01-01",
    });
  });

  it("reports a syntax error as one line with the file, line and column", () => {
    assert.throws(
      () => parseYaml("a: 1\nb: [1, 2\nc: 3\n", "flows/experiment.yaml"),
      (err: unknown) => err instanceof ConfigError && err.file === "flows/experiment.yaml" && /at line \d+, column \d+$/.test(err.message) && !err.message.includes("\n"),
    );
  });

  it("refuses duplicate keys and unknown tags", () => {
    assert.throws(() => parseYaml("a: 1\na: 2\n", "d.yaml"), (err: unknown) => err instanceof ConfigError && /line 2, column 1/.test(err.message));
    assert.throws(() => parseYaml("a: !python/name x\n", "t.yaml"), ConfigError);
  });

  it("refuses an alias bomb instead of expanding it", () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let level = 1; level < 9; level++) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      lines.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(",")}]`);
    }
    assert.throws(() => parseYaml(lines.join("\n"), "bomb.yaml"), (err: unknown) => err instanceof ConfigError && err.file === "bomb.yaml");
  });

  it("gives every reader of the same text its own copy, and names each reader's file in an error", () => {
    const text = "nodes:\n  - name: a\n    inputs: {x: 1}\n";
    const first = parseYaml(text, "flow.dag.yaml") as { nodes: { inputs: { x: number } }[] };
    first.nodes[0].inputs.x = 2;
    assert.deepEqual(parseYaml(text, "/abs/flow.dag.yaml"), { nodes: [{ name: "a", inputs: { x: 1 } }] });
    for (const file of ["one.yaml", "two.yaml"]) {
      assert.throws(() => parseYaml("a: [1\n", file), (err: unknown) => err instanceof ConfigError && err.file === file);
    }
  });

  it("reads a file through the bounded reader", () => {
    assert.throws(() => readYamlFile("/definitely/missing.yaml"), (err: unknown) => err instanceof ConfigError && err.found === "no such file");
  });
});
