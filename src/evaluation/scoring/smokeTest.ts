/**
 * The deployment smoke test: one request (the flow's sample request) to the deployed endpoint or Web App. Unlike
 * a log line, it fails: on any status other than 200, on a body that is not a JSON object, or when an output the
 * flow declares is missing from the answer, so a deployment that answers but has lost an output is caught before
 * traffic moves to it.
 */
import type { GateResult } from "../gates/gateResult";
import { score, scoringHeaders, type ScoringTargetOptions } from "./scoringTarget";

export interface SmokeTestResult {
  target: string;
  ok: boolean;
  /** HTTP status of the last attempt; 0 when none arrived. */
  status: number;
  missingOutputs: string[];
  error?: string;
}

export async function smokeTest(
  target: ScoringTargetOptions,
  requestBody: Record<string, unknown>,
  declaredOutputs: readonly string[],
  signal?: AbortSignal,
): Promise<SmokeTestResult> {
  const result = await score(target, scoringHeaders(target), requestBody, signal);
  if (!result.ok) return { target: target.name, ok: false, status: result.status, missingOutputs: [], error: result.error.message };
  const missingOutputs = declaredOutputs.filter((name) => !Object.prototype.hasOwnProperty.call(result.body, name));
  const smoke: SmokeTestResult = { target: target.name, ok: result.status === 200 && missingOutputs.length === 0, status: result.status, missingOutputs };
  if (result.status !== 200) smoke.error = `${target.name}: expected HTTP 200, got ${result.status}`;
  else if (missingOutputs.length > 0) smoke.error = `${target.name}: the response lacks declared flow outputs: ${missingOutputs.join(", ")}`;
  return smoke;
}

/** A smoke test as a gate result, so it shows in junit.xml and the reports next to the quality gates. */
export function smokeGateResult(result: SmokeTestResult): GateResult {
  return {
    gate: `smoke test: ${result.target}`,
    kind: "smoke",
    target_label: result.target,
    metric: "smoke",
    expected: "HTTP 200 with every declared output",
    passed: result.ok,
    reason: result.ok ? `HTTP ${result.status}, all declared outputs present` : `FAILED: ${result.error ?? `HTTP ${result.status}`}`,
  };
}
