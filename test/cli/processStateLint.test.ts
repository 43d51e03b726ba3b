import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ESLint, Linter } from "eslint";

/**
 * `npm run lint` keeps process state (process.env, argv, exit codes, the working directory, process listeners,
 * the terminal) in src/cli and src/index.ts. These tests read the rules ESLint applies to each file from
 * eslint.config.mjs and run them on code that reaches for process state.
 */
describe("lint: process state belongs to src/cli", function () {
  this.timeout(60000);
  const root = path.resolve(__dirname, "..", "..");
  const eslint = new ESLint({ cwd: root });
  const reachesForProcessState = [
    'import { env } from "node:process";',
    "export const home = process.env.HOME;",
    "export const here = process.cwd();",
    'process.on("SIGINT", () => undefined);',
    "process.exitCode = 2;",
    "const { argv } = process;",
    "export const args = argv;",
    'process.stdout.write("drawn");',
  ].join("\n");

  async function violations(file: string): Promise<string[]> {
    const config = (await eslint.calculateConfigForFile(path.join(root, file))) as { rules: Record<string, Linter.RuleEntry> };
    const rules: Linter.RulesRecord = {};
    for (const rule of ["no-restricted-properties", "no-restricted-imports"]) rules[rule] = config.rules[rule] ?? "off";
    return new Linter({ configType: "flat" })
      .verify(reachesForProcessState, [{ languageOptions: { sourceType: "module" }, rules }])
      .map((message) => `${message.line}:${message.ruleId ?? "?"}`);
  }

  it("refuses every kind of process state in each folder under src/ but src/cli", async () => {
    const folders = fs.readdirSync(path.join(root, "src"), { withFileTypes: true }).filter((entry) => entry.isDirectory() && entry.name !== "cli");
    assert.ok(folders.length >= 10, "the src/ folders were found");
    for (const folder of folders) {
      const file = fs.readdirSync(path.join(root, "src", folder.name)).find((name) => name.endsWith(".ts"));
      if (file === undefined) continue;
      assert.deepEqual(
        await violations(path.join("src", folder.name, file)),
        ["1:no-restricted-imports", "2:no-restricted-properties", "3:no-restricted-properties", "4:no-restricted-properties", "5:no-restricted-properties", "6:no-restricted-properties", "8:no-restricted-properties"],
        `src/${folder.name}/${file}`,
      );
    }
  });

  it("lets the shells use it: src/cli, the Pulumi program's entry src/index.ts, and the tests", async () => {
    for (const file of ["src/cli/planWorker.ts", "src/cli/commands/plan.ts", "src/index.ts", "test/flow/pythonPool.test.ts"]) {
      assert.deepEqual(await violations(file), [], file);
    }
  });
});
