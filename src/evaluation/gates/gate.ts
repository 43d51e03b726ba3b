/**
 * Quality gates: `"<metric> <op> <number>"` with op one of >= > <= < ==, e.g. `"accuracy >= 0.8"`,
 * `"eval/exact.exact_match >= 0.9"`, `"run.p95_latency_ms <= 3000"`. See metricRef.ts for metric qualification.
 */
import { UserError } from "../../core/userError";
import { type MetricRef, parseMetricRef } from "./metricRef";

export type GateOperator = ">=" | ">" | "<=" | "<" | "==";

export interface Gate {
  /** The gate as the user wrote it, for reports. */
  source: string;
  metric: MetricRef;
  operator: GateOperator;
  threshold: number;
}

const numberPattern = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const operatorPattern = /(>=|<=|==|=>|=<|!=|<>|>|<|=)/;

export function parseGate(text: string, context = "gates"): Gate {
  const fail = (why: string): UserError =>
    new UserError(`${context}: invalid gate '${text}': ${why}; expected "<metric> <op> <number>" with op one of >= > <= < ==`);
  if (typeof text !== "string" || text.trim() === "") throw fail("it is empty");
  const parts = text.split(operatorPattern);
  if (parts.length < 3) throw fail("no comparison operator");
  if (parts.length > 3) throw fail("more than one comparison operator");
  const [left, operator, right] = parts as [string, string, string];
  if (operator === "=" || operator === "=>" || operator === "=<" || operator === "!=" || operator === "<>") {
    throw fail(`operator '${operator}' is not supported`);
  }
  if (left.trim() === "") throw fail("the metric name is missing");
  const metric = parseMetricRef(left, `${context}: gate '${text}'`);
  const thresholdText = right.trim();
  if (thresholdText === "") throw fail("the threshold number is missing");
  if (thresholdText.endsWith("%")) throw fail(`write '${thresholdText}' as a fraction (e.g. 0.8), not a percentage`);
  if (!numberPattern.test(thresholdText)) throw fail(`threshold '${thresholdText}' is not a number`);
  const threshold = Number(thresholdText);
  if (!Number.isFinite(threshold)) throw fail(`threshold '${thresholdText}' is not a finite number`);
  return { source: text.trim(), metric, operator: operator as GateOperator, threshold };
}

export function parseGates(texts: readonly string[], context = "gates"): Gate[] {
  return texts.map((text, index) => parseGate(text, `${context}[${index}]`));
}

/** Tolerance for `==` so 0.1 + 0.2 == 0.3 holds; relative for large values. */
function nearlyEqual(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

export function compare(actual: number, operator: GateOperator, threshold: number): boolean {
  switch (operator) {
    case ">=":
      return actual >= threshold || nearlyEqual(actual, threshold);
    case ">":
      return actual > threshold && !nearlyEqual(actual, threshold);
    case "<=":
      return actual <= threshold || nearlyEqual(actual, threshold);
    case "<":
      return actual < threshold && !nearlyEqual(actual, threshold);
    case "==":
      return nearlyEqual(actual, threshold);
  }
}
