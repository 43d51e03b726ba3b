/** Small metrics files shared by the gate, comparison and report tests. */
import { createMetricsEntry, type MetricsEntry, type MetricsFile } from "../../src/evaluation/metricsFile";

export function flowEntry(dataset: string, evaluator: string, variant: string, metrics: Record<string, number>): MetricsEntry {
  return createMetricsEntry({ dataset, evaluator, variant, target: { kind: "flow" }, metrics, lines: 40, failed: 0 });
}

export function deploymentEntry(deployment: string, variant: string, evaluator: string, metrics: Record<string, number>): MetricsEntry {
  return createMetricsEntry({ dataset: "eval", evaluator, variant, target: { kind: "deployment", endpoint: "ticket-ep", deployment }, metrics, lines: 40, failed: 1 });
}

export function metricsFile(phase: MetricsFile["phase"], runId: string, targets: MetricsEntry[]): MetricsFile {
  return { version: 1, phase, run_id: runId, created_at: "2026-11-24T09:00:00.000Z", targets, gates: [] };
}
