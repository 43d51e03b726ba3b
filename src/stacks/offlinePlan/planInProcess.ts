/**
 * One stack's offline plan in this process, as `runOfflinePlan`'s child (src/cli/planWorker.ts) runs it: the
 * request it is given, the outcome (report or error) as plain data it writes back.
 */
import { planFromPulumiConfig } from "../../infra/program";
import { readStackConfigFile } from "../../config/stackConfigFile";
import { ConfigError, UserError } from "../../core/userError";
import { recordOfflinePlan } from "./recordUnderMocks";
import type { OfflinePlanReport } from "./types";

export interface WorkerRequest {
  stack: string;
  projectRoot: string;
  deploymentConfigPath?: string;
  resultFile: string;
}

export type WorkerError =
  | { kind: "ConfigError"; file: string; jsonPath: string; expected: string; found: string }
  | { kind: "UserError"; message: string }
  | { kind: "Error"; message: string; stack?: string };

export type WorkerOutcome = { ok: true; report: OfflinePlanReport } | { ok: false; error: WorkerError };

/** `environmentVariables`: the child's environment, which `runOfflinePlan` set to its caller's. */
async function planInThisProcess(request: WorkerRequest, environmentVariables: Record<string, string | undefined>): Promise<OfflinePlanReport> {
  const stackConfig = readStackConfigFile(request.projectRoot, request.stack);
  const plan = planFromPulumiConfig({
    stack: request.stack,
    projectRoot: request.projectRoot,
    allConfig: stackConfig.config,
    environmentVariables,
    // An offline plan deploys nothing: unset Web App connection variables show as <VAR> with a notice.
    connectionVariables: "placeholder",
    ...(request.deploymentConfigPath !== undefined ? { deploymentConfigPath: request.deploymentConfigPath } : {}),
  });
  return recordOfflinePlan(plan, { projectRoot: request.projectRoot });
}

function describeError(err: unknown): WorkerError {
  if (err instanceof ConfigError) {
    return { kind: "ConfigError", file: err.file, jsonPath: err.jsonPath, expected: err.expected, found: err.found };
  }
  if (err instanceof UserError) return { kind: "UserError", message: err.message };
  if (err instanceof Error) return { kind: "Error", message: err.message, ...(err.stack !== undefined ? { stack: err.stack } : {}) };
  return { kind: "Error", message: String(err) };
}

/** The plan of the requested stack, or its error as data: never throws. */
export async function planOutcome(request: WorkerRequest, environmentVariables: Record<string, string | undefined>): Promise<WorkerOutcome> {
  try {
    return { ok: true, report: await planInThisProcess(request, environmentVariables) };
  } catch (err) {
    return { ok: false, error: describeError(err) };
  }
}
