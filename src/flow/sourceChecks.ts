/**
 * Syntax checks of a flow's sources before anything runs: every Jinja template and prompty body parses, every
 * Python file compiles. Python is parsed with `ast` in one short-lived interpreter: nothing is imported or run,
 * so a tool's import side effects (network clients, model downloads) never happen in a preflight.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { UserError } from "../core/userError";
import type { FlowChecks } from "./flowFolder";
import type { Environment } from "../llm/connections";
import { pythonChildEnvironment, pythonExecutableOf } from "./pythonProcess";
import { readPromptyFile } from "./promptyFile";
import { templateSyntaxProblem } from "./template";

/** A mistake at a place in a file, reported as `file:line:column: message`. */
export interface SourceProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export function describeSourceProblem(problem: SourceProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}

function templateProblems(templates: FlowChecks["templates"]): SourceProblem[] {
  const problems: SourceProblem[] = [];
  for (const template of templates) {
    // A prompty body starts below its front matter: positions are shifted back to lines of the file.
    const prompty = template.kind === "prompty" ? readPromptyFile(template.file) : undefined;
    const body = prompty ? prompty.body : fs.readFileSync(template.file, "utf8");
    const firstLine = prompty ? prompty.bodyLine : 1;
    const problem = templateSyntaxProblem(body, template.file);
    if (problem) problems.push({ file: template.file, line: problem.line + firstLine - 1, column: problem.column, message: `template syntax error: ${problem.message}` });
  }
  return problems;
}

const pythonSyntaxScript = `
import ast, json, sys
problems = []
for path in json.load(sys.stdin):
    try:
        with open(path, "rb") as handle:
            ast.parse(handle.read(), path)
    except SyntaxError as err:
        problems.append({"file": path, "line": err.lineno or 1, "column": err.offset or 1, "message": "%s: %s" % (type(err).__name__, err.msg)})
    except ValueError as err:
        problems.append({"file": path, "line": 1, "column": 1, "message": "SyntaxError: %s" % err})
json.dump(problems, sys.stdout)
`;

function pythonProblems(files: readonly string[], environment: Environment): SourceProblem[] {
  if (files.length === 0) return [];
  const pythonExecutable = pythonExecutableOf(environment);
  const result = spawnSync(pythonExecutable, ["-I", "-c", pythonSyntaxScript], {
    input: JSON.stringify(files),
    encoding: "utf8",
    env: pythonChildEnvironment(environment),
  });
  if (result.error) throw new UserError(`cannot check the flow's Python files: could not run '${pythonExecutable}' (${result.error.message})`);
  try {
    return JSON.parse(result.stdout) as SourceProblem[];
  } catch {
    throw new UserError(`cannot check the flow's Python files: ${result.stderr.trim() || `no answer from ${pythonExecutable}`}`);
  }
}

/** Every syntax mistake in the flow's templates and Python files, in file order; Python checks them in `environment`. */
export function sourceProblems(checks: Pick<FlowChecks, "templates" | "pythonFiles">, environment: Environment): SourceProblem[] {
  return [...templateProblems(checks.templates), ...pythonProblems(checks.pythonFiles, environment)];
}
