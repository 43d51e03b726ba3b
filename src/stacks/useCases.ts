/**
 * The use cases of a repository and their stacks, for CI: one matrix leg per use case, each planning, evaluating,
 * deploying and promoting its own stacks. A stack belongs to the use case its `llmops:useCase` names; stacks
 * without one form the flat layout's use case, `default`. A change runs only the use cases whose files it touches
 * (their folder, or the flow, experiment and deployment config a flat stack names, and their Pulumi.<stack>.yaml);
 * documentation changes run none, and any other file (the program, the workflows, package.json) runs every one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readStackSettings } from "../config/stackConfig";
import { llmopsSettings, readStackConfigFile } from "../config/stackConfigFile";
import { UserError } from "../core/userError";

/** What discovery needs of one Pulumi.<stack>.yaml. */
export interface StackSummary {
  stack: string;
  /** `llmops:useCase`, absent for the flat layout. */
  useCase?: string;
  environment: string;
  /** Project-relative files and folders (folders end with "/") the stack is built from, besides its stack file. */
  sources: string[];
}

/** One matrix leg: a use case and its stacks. Strings only, so every value reads the same in a workflow. */
export interface UseCaseLeg {
  /** The use-case folder, or "default" for the flat layout. */
  useCase: string;
  /** Safe in artifact names and concurrency groups: the folder with every other character than [A-Za-z0-9_-] as "-". */
  id: string;
  /** The stack `llmops:environment: dev` (deployed first). */
  devStack: string;
  /** The stack `llmops:environment: prod` (promoted to), or "" when the use case has none. */
  prodStack: string;
  /** Every stack of the use case, space-separated (planned offline). */
  stacks: string;
  /** Where its sampled production log is read by default: `<folder>/data/production_log.jsonl` (`flows/data/...` flat). */
  productionLog: string;
}

export interface UseCase extends UseCaseLeg {
  /** Project-relative files and folders ("/"-terminated) whose change runs this use case. */
  paths: string[];
}

const defaultUseCase = "default";
const defaultProductionLog = "flows/data/production_log.jsonl";

function folderOf(file: string): string {
  const folder = path.posix.dirname(file.split(path.sep).join("/"));
  return folder === "." ? "" : `${folder}/`;
}

/** Reads every Pulumi.<stack>.yaml of the project root (the stack files CI deploys), sorted by stack name. */
export function readStackSummaries(projectRoot: string): StackSummary[] {
  const files = fs
    .readdirSync(projectRoot)
    .filter((name) => /^Pulumi\.[A-Za-z0-9_.-]+\.yaml$/.test(name))
    .sort();
  return files.map((file) => {
    const stack = file.replace(/^Pulumi\./, "").replace(/\.yaml$/, "");
    const stackConfig = readStackConfigFile(projectRoot, stack);
    const settings = readStackSettings({
      stack,
      stackConfig: llmopsSettings(stackConfig),
      stackConfigFile: stackConfig.file,
      // CI's resource-name overrides change where a stack deploys, never which files it is built from.
      environmentVariables: {},
    });
    const sources =
      settings.useCase !== undefined
        ? [`${settings.useCase.replace(/\/+$/, "")}/`]
        : [settings.deploymentConfigPath, folderOf(settings.experimentPath), ...(settings.flowPath !== undefined ? [`${settings.flowPath.replace(/\/+$/, "")}/`] : [])];
    return { stack, ...(settings.useCase !== undefined ? { useCase: settings.useCase } : {}), environment: settings.environment, sources: sources.filter((s) => s !== "") };
  });
}

/** Groups stacks into use cases; each needs exactly one dev stack and at most one prod stack. */
export function groupUseCases(stacks: readonly StackSummary[]): UseCase[] {
  const byUseCase = new Map<string, StackSummary[]>();
  for (const stack of stacks) {
    const name = stack.useCase?.replace(/\/+$/, "") ?? defaultUseCase;
    byUseCase.set(name, [...(byUseCase.get(name) ?? []), stack]);
  }
  const useCases: UseCase[] = [];
  for (const [useCase, members] of [...byUseCase.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const inEnvironment = (environment: string): StackSummary | undefined => {
      const found = members.filter((member) => member.environment === environment);
      if (found.length > 1) {
        throw new UserError(
          `use case '${useCase}' has ${found.length} stacks with llmops:environment ${environment} (${found.map((s) => `Pulumi.${s.stack}.yaml`).join(", ")}): CI deploys one per environment`,
        );
      }
      return found[0];
    };
    const dev = inEnvironment("dev");
    const prod = inEnvironment("prod");
    if (dev === undefined) {
      throw new UserError(
        `use case '${useCase}' has no stack with llmops:environment dev (it has ${members.map((s) => `Pulumi.${s.stack}.yaml`).join(", ")}): CI deploys dev first, then promotes to prod`,
      );
    }
    const owned = [...new Set([...members.flatMap((member) => member.sources), ...members.map((member) => `Pulumi.${member.stack}.yaml`)])];
    // A path inside a folder the use case already owns adds nothing (flows/ covers flows/support_ticket_classifier/).
    const paths = owned.filter((candidate) => !owned.some((other) => other !== candidate && other.endsWith("/") && candidate.startsWith(other))).sort();
    useCases.push({
      useCase,
      id: useCase.replace(/[^A-Za-z0-9_-]+/g, "-"),
      devStack: dev.stack,
      prodStack: prod?.stack ?? "",
      stacks: members.map((member) => member.stack).join(" "),
      productionLog: useCase === defaultUseCase ? defaultProductionLog : `${useCase}/data/production_log.jsonl`,
      paths,
    });
  }
  const ids = new Map<string, string>();
  for (const useCase of useCases) {
    const other = ids.get(useCase.id);
    if (other !== undefined) throw new UserError(`use cases '${other}' and '${useCase.useCase}' both become '${useCase.id}' in CI names: rename one folder`);
    ids.set(useCase.id, useCase.useCase);
  }
  return useCases;
}

function isDocumentation(file: string): boolean {
  return /\.md$/i.test(file) || file.startsWith("docs/");
}

function touches(useCase: UseCase, file: string): boolean {
  return useCase.paths.some((owned) => (owned.endsWith("/") ? file.startsWith(owned) : file === owned));
}

/**
 * The use cases a change runs: those owning a changed file; every one when a changed file belongs to no use case
 * and is not documentation (shared code, the workflows, dependencies).
 */
export function affectedUseCases(useCases: readonly UseCase[], changedFiles: readonly string[]): UseCase[] {
  const files = changedFiles.map((file) => file.trim()).filter((file) => file !== "");
  if (files.some((file) => !isDocumentation(file) && !useCases.some((useCase) => touches(useCase, file)))) return [...useCases];
  return useCases.filter((useCase) => files.some((file) => touches(useCase, file)));
}

/** The use case owning a stack (for a run of one stack by hand). */
export function useCaseOfStack(useCases: readonly UseCase[], stack: string): UseCase {
  const found = useCases.find((useCase) => useCase.stacks.split(" ").includes(stack));
  if (found === undefined) throw new UserError(`no Pulumi.${stack}.yaml: the stacks are ${useCases.flatMap((u) => u.stacks.split(" ")).join(", ")}`);
  return found;
}

/** The GitHub Actions matrix: `{"include": [leg, ...]}` without the paths. */
export function matrixOf(useCases: readonly UseCase[]): { include: UseCaseLeg[] } {
  return { include: useCases.map(({ paths: _paths, ...leg }) => leg) };
}
