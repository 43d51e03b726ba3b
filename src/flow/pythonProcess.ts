/**
 * How the engine starts Python (the worker pool, the flex signature reader, the syntax check): which interpreter
 * and in which environment both come from the environment the caller hands down (the command line passes its
 * own), never from this process's.
 */
import type { Environment } from "../llm/connections";

/** `PYTHON` when set (e.g. a virtual environment's interpreter), else `python3` on PATH. */
export function pythonExecutableOf(environment: Environment): string {
  return environment.PYTHON || "python3";
}

/** A Python child's environment: the caller's (PATH, PYTHONPATH, the user's own variables) plus `overrides`. */
export function pythonChildEnvironment(environment: Environment, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  // No __pycache__ folders written next to the user's flow files.
  return { ...environment, PYTHONDONTWRITEBYTECODE: "1", ...overrides };
}
