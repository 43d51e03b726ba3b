/**
 * How report.html looks, checked without a browser: the page's own stylesheet is resolved for a given element
 * (class selectors only, by specificity then order, as a browser's cascade does for them), and the markup is
 * checked for the containers that keep wide tables on the page.
 */
import assert from "node:assert/strict";
import { buildMetricsFile, buildReportLines, type EvaluatedRun } from "../../src/evaluation/assemble";
import { createBuiltinEvaluator } from "../../src/evaluation/evaluators/builtin";
import { evaluateLines } from "../../src/evaluation/evaluators/evaluateLines";
import { parseGates } from "../../src/evaluation/gates/gate";
import { renderHtmlReport } from "../../src/evaluation/report/htmlReport";
import { renderJunitXml } from "../../src/evaluation/report/junitReport";
import { renderMarkdownReport } from "../../src/evaluation/report/markdownReport";
import type { ReportData } from "../../src/evaluation/report/reportData";
import type { RunLine } from "../../src/evaluation/types";

/** The value of `property` for an element with these classes, from rules whose selectors are only classes. */
function resolvedProperty(css: string, classes: string[], property: string): string | undefined {
  let best: { specificity: number; order: number; value: string } | undefined;
  let order = 0;
  for (const match of css.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
    const declarations = match[2].split(";").map((part) => part.split(":").map((text) => text.trim()));
    const value = declarations.find(([name]) => name === property)?.[1];
    for (const selector of match[1].split(",").map((text) => text.trim())) {
      order++;
      if (value === undefined || !/^(\.[\w-]+)+$/.test(selector)) continue;
      const needed = selector.slice(1).split(".");
      if (!needed.every((name) => classes.includes(name))) continue;
      if (!best || needed.length > best.specificity || (needed.length === best.specificity && order > best.order)) {
        best = { specificity: needed.length, order, value };
      }
    }
  }
  return best?.value;
}

async function data(gates: string[]): Promise<ReportData> {
  const lines: RunLine[] = [0, 1].map((lineNumber) => ({
    lineNumber,
    status: "Completed",
    inputs: { text: `ticket ${lineNumber}` },
    outputs: { category: "billing" },
    durationMs: 10,
    data: { truth: lineNumber === 0 ? "billing" : "account" },
  }));
  const evaluator = createBuiltinEvaluator({ name: "exact", builtin: "exact_match", mappings: { prediction: "${run.outputs.category}", reference: "${data.truth}" } });
  const runs: EvaluatedRun[] = ["eval", "bulk"].map((dataset) => ({
    dataset,
    variant: "classify.zero_shot",
    target: { kind: "flow" },
    lines,
    evaluators: [],
  }));
  runs[0].evaluators.push(await evaluateLines(evaluator, lines));
  const metrics = buildMetricsFile({ phase: "pre", runId: "pre-layout", createdAt: new Date("2026-11-24T09:00:00Z"), runs, gates: parseGates(gates) });
  return { title: "layout", metrics, lines: buildReportLines(runs), comparisons: [] };
}

function style(html: string): string {
  return /<style>([\s\S]*?)<\/style>/.exec(html)![1];
}

describe("evaluation: report.html layout", () => {
  it("shows the verdict in white on its coloured badge, whether the gates passed or failed", async () => {
    for (const [gate, verdict] of [["exact_match >= 0.1", "pass"], ["exact_match >= 0.9", "fail"]] as const) {
      const html = renderHtmlReport(await data([gate]));
      assert.match(html, new RegExp(`<span class="verdict ${verdict}">`));
      const classes = ["verdict", verdict];
      assert.equal(resolvedProperty(style(html), classes, "color"), "#fff", `text colour of the ${verdict} badge`);
      assert.notEqual(resolvedProperty(style(html), classes, "background"), "#fff");
    }
  });

  it("keeps wide tables inside a horizontally scrolling box instead of widening the page", async () => {
    const html = renderHtmlReport(await data(["exact_match >= 0.1", "error_rate <= 0.5"]));
    const tables = html.match(/<table[\s>]/g) ?? [];
    const wrapped = html.match(/<div class="table-scroll"><table[\s>]/g) ?? [];
    assert.ok(tables.length >= 3);
    assert.equal(wrapped.length, tables.length, "every table sits in a scroll box");
    assert.equal(resolvedProperty(style(html), ["table-scroll"], "overflow-x"), "auto");
  });

  it("tells apart gate rows on the same variant by the dataset and evaluator they were checked on", async () => {
    const html = renderHtmlReport(await data(["error_rate <= 0.5"]));
    const gatesTable = html.slice(html.indexOf('id="gates"'), html.indexOf("</table>", html.indexOf('id="gates"')));
    const targets = [...gatesTable.matchAll(/<tr><td><span class="\w+">\w+<\/span><\/td><td>[^<]*<\/td><td>(.*?)<\/td>/g)].map((match) => match[1]);
    assert.equal(targets.length, 2);
    assert.equal(new Set(targets).size, 2, `gate rows must differ: ${targets.join(" | ")}`);
    assert.ok(targets.some((target) => target.includes("eval/run")) && targets.some((target) => target.includes("bulk/run")));
  });

  it("gives every gate its own row in report.md and its own testcase name in junit.xml", async () => {
    const report = await data(["error_rate <= 0.5", "exact_match >= 0.1"]);
    const markdownRows = renderMarkdownReport(report).split("\n").filter((row) => row.startsWith("| ✅") || row.startsWith("| ❌"));
    assert.equal(markdownRows.length, 3);
    assert.equal(new Set(markdownRows).size, 3, markdownRows.join("\n"));
    const names = [...renderJunitXml(report.metrics).matchAll(/<testcase [^>]*name="([^"]*)"/g)].map((match) => match[1]);
    assert.equal(names.length, 3);
    assert.equal(new Set(names).size, 3, names.join(" | "));
  });
});
