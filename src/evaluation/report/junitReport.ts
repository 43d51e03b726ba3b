/**
 * junit.xml: each gate result is a testcase (classname = gate kind, name = gate @ target), so CI systems that show
 * JUnit results (GitHub checks, Azure DevOps test tab) list quality gates like tests. Failures carry the reason.
 */
import type { GateResult } from "../gates/gateResult";
import type { MetricsFile } from "../metricsFile";
import { escapeXml } from "./escape";
import { gateTarget } from "./reportData";

function testcase(metrics: MetricsFile, result: GateResult): string {
  const target = gateTarget(metrics, result);
  const name = target === undefined ? result.gate : `${result.gate} @ ${target}`;
  const open = `    <testcase classname="quality.${escapeXml(result.kind)}" name="${escapeXml(name)}" time="0"`;
  if (!result.passed) {
    return `${open}>\n      <failure message="${escapeXml(result.reason)}" type="GateFailed">${escapeXml(result.reason)}</failure>\n    </testcase>`;
  }
  if (result.skipped === true) return `${open}>\n      <skipped message="${escapeXml(result.reason)}"/>\n    </testcase>`;
  return `${open}/>`;
}

export function renderJunitXml(metrics: MetricsFile): string {
  const failures = metrics.gates.filter((gate) => !gate.passed).length;
  const skipped = metrics.gates.filter((gate) => gate.passed && gate.skipped === true).length;
  const tests = metrics.gates.length;
  const suiteName = escapeXml(`llmops ${metrics.phase} quality gates (${metrics.run_id})`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="llmops quality gates" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}">`,
    `  <testsuite name="${suiteName}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" timestamp="${escapeXml(metrics.created_at)}">`,
    ...metrics.gates.map((gate) => testcase(metrics, gate)),
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
