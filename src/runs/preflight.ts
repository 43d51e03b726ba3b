/**
 * Check before spending: everything that would fail every line is found before the first model call. Every
 * template and prompty body parses, every Python file compiles (syntax only, nothing imported), every connection
 * the flow uses exists, and every dataset line is a JSON object. A mistake stops `llmops run` and
 * `llmops evaluate --phase pre` with the file, line and column (exit 2). What to check per flow kind (DAG, flex,
 * prompty) comes from the flow layer (`flowChecksOf`).
 */
import * as fs from "node:fs";
import { UserError } from "../core/userError";
import { flowChecksOf, readFlowInterface } from "../flow/flowFolder";
import { describeSourceProblem, sourceProblems, type SourceProblem } from "../flow/sourceChecks";
import type { Environment } from "../llm/connections";
import { nonBlankLines } from "./bulk/jsonlLines";
import { datasetLineProblem } from "./datasetLines";

export interface PreflightInput {
  /** Flow folders or files (the flow under test, evaluator flows). */
  flows: readonly string[];
  /** Connection names that are defined. */
  connections: readonly string[];
  /** What to do about a missing connection, e.g. "pass --connections <file>". */
  connectionsHint: string;
  /** Absolute paths of the JSONL datasets the runs read. */
  datasets: readonly string[];
  /** The environment the flows' Python runs in (its `PYTHON`, PATH), as the worker pool will run it. */
  environment: Environment;
}

async function datasetProblem(file: string): Promise<SourceProblem | undefined> {
  if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) throw new UserError(`dataset ${file}: file not found`);
  for await (const line of nonBlankLines(file)) {
    const problem = datasetLineProblem(line.text);
    if (problem) return { file, line: line.fileLine, ...problem };
  }
  return undefined;
}

export async function preflight(input: PreflightInput): Promise<void> {
  const problems: SourceProblem[] = [];
  for (const target of input.flows) {
    const flow = readFlowInterface(target, "--flow", { environment: input.environment });
    const checks = flowChecksOf(flow);
    const missing = Object.entries(checks.connections).filter(([name]) => !input.connections.includes(name));
    if (missing.length > 0) {
      const list = missing.map(([name, usedBy]) => `'${name}' (${/^(init|model)\./.test(usedBy) ? usedBy : `node ${usedBy}`})`).join(", ");
      throw new UserError(`${flow.file}: the flow uses connection ${list}, which is not defined: ${input.connectionsHint}`);
    }
    problems.push(...sourceProblems(checks, input.environment));
  }
  for (const dataset of new Set(input.datasets)) {
    const problem = await datasetProblem(dataset);
    if (problem) problems.push(problem);
  }
  if (problems.length === 0) return;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more: ${problems.slice(1, 4).map((p) => `${p.file}:${p.line}`).join(", ")}${problems.length > 4 ? ", ..." : ""})` : "";
  throw new UserError(`${describeSourceProblem(problems[0])}${more}; nothing was run`);
}
