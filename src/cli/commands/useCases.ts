import * as fs from "node:fs";
import * as path from "node:path";
import { affectedUseCases, groupUseCases, matrixOf, readStackSummaries, useCaseOfStack, type UseCase } from "../../stacks/useCases";
import { UserError } from "../../core/userError";
import { parseCommandOptions } from "../commandOptions";
import type { Command } from "../command";
import { requireProjectRoot } from "../projectRoot";

const usage = `usage: llmops use-cases [--changed <file>] [--stack <name>] [--json]

Lists the use cases of the project and their stacks, from every Pulumi.<stack>.yaml: a stack belongs to the use
case its llmops:useCase names, stacks without one to the flat layout's use case "default". Each use case needs one
stack with llmops:environment dev and may have one with prod. CI runs one matrix leg per use case.

options:
  --changed <file>  only the use cases a change touches: <file> lists changed paths one per line (git diff
                    --name-only); a changed file of no use case (shared code, workflows) selects all of them,
                    documentation (*.md, docs/) none
  --stack <name>    only the use case that has this stack
  --json            print the GitHub Actions matrix {"include":[{useCase, id, devStack, prodStack, stacks,
                    productionLog}]} on one line`;

function table(useCases: readonly UseCase[]): string {
  if (useCases.length === 0) return "no use case is affected";
  const rows = [["USE CASE", "DEV STACK", "PROD STACK", "PATHS"], ...useCases.map((u) => [u.useCase, u.devStack, u.prodStack || "-", u.paths.join(" ")])];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join("  ")).join("\n");
}

export const useCasesCommand: Command = {
  summary: "list the use cases and their stacks (the CI matrix), optionally only those a change touches",
  usage,
  async run(args) {
    const options = parseCommandOptions(args, { changed: { type: "string" }, stack: { type: "string" }, json: { type: "boolean" } }, usage);
    const projectRoot = requireProjectRoot("use-cases");
    let useCases = groupUseCases(readStackSummaries(projectRoot));
    if (useCases.length === 0) throw new UserError(`no Pulumi.<stack>.yaml in ${projectRoot}`);
    const stack = options.text("stack");
    if (stack !== undefined) useCases = [useCaseOfStack(useCases, stack)];
    const changed = options.text("changed");
    if (changed !== undefined) {
      let text: string;
      try {
        text = fs.readFileSync(path.resolve(changed), "utf8");
      } catch {
        throw new UserError(`--changed ${changed}: file not found`);
      }
      useCases = affectedUseCases(useCases, text.split(/\r?\n/));
    }
    console.log(options.flag("json") ? JSON.stringify(matrixOf(useCases)) : table(useCases));
    return 0;
  },
};
