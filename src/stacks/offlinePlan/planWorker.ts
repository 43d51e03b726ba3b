/**
 * Child-process entry of `runOfflinePlan`: one stack, one fresh Pulumi runtime. Reads its request from argv,
 * writes the outcome (report or error) as JSON to the request's result file, then exits.
 */
import * as fs from "node:fs";
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

export async function planInThisProcess(request: Omit<WorkerRequest, "resultFile">): Promise<OfflinePlanReport> {
  const stackConfig = readStackConfigFile(request.projectRoot, request.stack);
  const plan = planFromPulumiConfig({
    stack: request.stack,
    projectRoot: request.projectRoot,
    allConfig: stackConfig.config,
    environmentVariables: process.env,
    // An offline plan deploys nothing: unset Web App connection variables show as <VAR> with a notice.
    connectionVariables: "placeholder",
    ...(request.deploymentConfigPath !== undefined ? { deploymentConfigPath: request.deploymentConfigPath } : {}),
  });
  return recordOfflinePlan(plan, { projectRoot: request.projectRoot });
}

export function describeError(err: unknown): WorkerError {
  if (err instanceof ConfigError) {
    return { kind: "ConfigError", file: err.file, jsonPath: err.jsonPath, expected: err.expected, found: err.found };
  }
  if (err instanceof UserError) return { kind: "UserError", message: err.message };
  if (err instanceof Error) return { kind: "Error", message: err.message, ...(err.stack !== undefined ? { stack: err.stack } : {}) };
  return { kind: "Error", message: String(err) };
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? "{}") as WorkerRequest;
  let outcome: WorkerOutcome;
  try {
    outcome = { ok: true, report: await planInThisProcess(request) };
  } catch (err) {
    outcome = { ok: false, error: describeError(err) };
  }
  fs.writeFileSync(request.resultFile, JSON.stringify(outcome));
  // The Pulumi runtime may hold handles open after a mock run; the outcome is written, so leave now.
  process.exit(0);
}

if (require.main === module) {
  void main();
}
