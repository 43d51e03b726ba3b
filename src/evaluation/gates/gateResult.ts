/** The outcome of one gate on one metrics entry, as metrics.json, JUnit and the reports show it. */
export interface GateResult {
  /** The gate as written, e.g. "accuracy >= 0.8", or a generated description for regression checks. */
  gate: string;
  kind: "threshold" | "regression" | "deployed_vs_pre" | "smoke";
  /** The metrics entry the gate was checked on; absent when no entry had the metric. */
  target_id?: string;
  target_label?: string;
  metric: string;
  actual?: number;
  expected?: string;
  /** Baseline value, for regression checks. */
  baseline?: number;
  passed: boolean;
  /** Nothing to check (e.g. no baseline yet); counted as passed, shown as skipped. */
  skipped?: boolean;
  reason: string;
}
