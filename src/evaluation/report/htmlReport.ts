/**
 * report.html: one self-contained page (no network: inline CSS, JS and SVG; a Content-Security-Policy that only
 * allows this page's own script and style by hash, so even markup that slipped through escaping could not load or
 * run anything). Sections: verdict and summary, gate results, metrics charts and tables per dataset/evaluator,
 * comparison tables, and a per-line table (failures first) with status, run and text filters.
 */
import { createHash } from "node:crypto";
import type { LineOutcome, ReportLine } from "../assemble";
import type { ComparisonTable } from "../comparison";
import { formatDelta, formatNumber } from "../formatNumber";
import { lowerIsBetter } from "../gates/metricRef";
import { escapeHtml, jsonForScript } from "./escape";
import { displayedMetrics, gateSummary, gateTarget, groupEntries, type ReportData } from "./reportData";
import { renderBarChart } from "./svgBarChart";

/** Rows beyond this are left to results.csv: a browser struggles with a 100 000-row table. Failures come first. */
export const maxHtmlLines = 2000;
const maxCellChars = 400;

const css = `
:root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2328}
header,main{padding:16px 28px}header{background:var(--bg);border-bottom:1px solid var(--line)}
h1{font-size:22px;margin:0 0 6px}h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:18px 0 8px}.hint,.meta{color:var(--muted);font-weight:normal}
.verdict{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-weight:600;margin-left:8px;font-size:14px}
.verdict.pass{background:var(--ok);color:#fff}.verdict.fail{background:var(--bad);color:#fff}.verdict.none{background:var(--muted)}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-top:10px}.card{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px 14px}
.card b{display:block;font-size:20px}
table{border-collapse:collapse;width:100%;margin:6px 0 14px}th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--bg)}.table-scroll{overflow-x:auto}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.pass{color:var(--ok);font-weight:600}.fail{color:var(--bad);font-weight:600}.skip{color:var(--muted);font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:10px 28px}.chart{margin:0}figcaption{font-weight:600;margin-bottom:2px}
.chart-label,.chart-value{font-size:12px;fill:#1f2328}.bar-0{fill:#0969da}.bar-1{fill:#8250df}.bar-2{fill:#1a7f37}
.bar-3{fill:#bf8700}.bar-4{fill:#cf222e}.bar-5{fill:#57606a}
.filters{display:flex;gap:10px;flex-wrap:wrap;align-items:center;margin:8px 0}.filters input{min-width:260px}
.filters input,.filters select,button{font:inherit;padding:3px 6px}
td pre{margin:0;white-space:pre-wrap;word-break:break-word;font:12px/1.35 ui-monospace,SFMono-Regular,Menlo,monospace;max-width:420px}
tr.run_failed td:first-child{border-left:4px solid var(--bad)}tr.eval_error td:first-child{border-left:4px solid var(--warn)}
tr.miss td:first-child{border-left:4px solid #fb8f44}tr.ok td:first-child{border-left:4px solid var(--ok)}
.verdict-better{color:var(--ok)}.verdict-worse,.verdict-missing{color:var(--bad)}
`;

// Filters rows by outcome, run and free text; copies the embedded metrics JSON. Reads only this page's DOM.
const script = `
(function(){
  var rows=[].slice.call(document.querySelectorAll("#lines tbody tr"));
  var status=document.getElementById("f-status"),run=document.getElementById("f-run"),text=document.getElementById("f-text");
  var shown=document.getElementById("f-count");
  function apply(){
    var s=status.value,r=run.value,t=text.value.trim().toLowerCase(),n=0;
    rows.forEach(function(row){
      var ok=(s===""||(s==="problem"?row.dataset.outcome!=="ok":row.dataset.outcome===s))&&(r===""||row.dataset.run===r)&&(t===""||row.textContent.toLowerCase().indexOf(t)>=0);
      row.hidden=!ok;if(ok)n++;
    });
    shown.textContent=n+" of "+rows.length+" rows shown";
  }
  if(status){[status,run,text].forEach(function(el){el.addEventListener("input",apply)});apply();}
  var copy=document.getElementById("copy-metrics");
  if(copy){copy.addEventListener("click",function(){
    var json=JSON.stringify(JSON.parse(document.getElementById("metrics-json").textContent),null,2);
    navigator.clipboard.writeText(json).then(function(){copy.textContent="Copied"},function(){copy.textContent="Copy failed"});
  });}
})();
`;

function hash(content: string): string {
  return `'sha256-${createHash("sha256").update(content, "utf8").digest("base64")}'`;
}

const num = (value: number | undefined): string => (value === undefined ? "–" : escapeHtml(formatNumber(value)));

function truncate(text: string): string {
  return text.length <= maxCellChars ? text : `${text.slice(0, maxCellChars - 1)}…`;
}

const maxTitleChars = 4000;

/** Long values are cut in the cell; the tooltip carries more of them (the full text is in results.csv). */
function jsonCell(value: Record<string, unknown>): string {
  const full = JSON.stringify(value, null, 1);
  if (full.length <= maxCellChars) return `<td><pre>${escapeHtml(full)}</pre></td>`;
  return `<td><pre title="${escapeHtml(full.slice(0, maxTitleChars))}">${escapeHtml(truncate(full))}</pre></td>`;
}

/** A table as wide as its columns need, scrolling inside its box so the rest of the page keeps the window's width. */
function scrollBox(table: string): string {
  return `<div class="table-scroll">${table}</div>`;
}

function gatesSection(data: ReportData): string {
  const gates = data.metrics.gates;
  if (gates.length === 0) return `<h2>Gates</h2><p class="hint">No gates were configured.</p>`;
  const rows = gates.map((gate) => {
    const state = gate.passed ? (gate.skipped ? `<span class="skip">SKIPPED</span>` : `<span class="pass">PASS</span>`) : `<span class="fail">FAIL</span>`;
    return (
      `<tr><td>${state}</td><td>${escapeHtml(gate.gate)}</td><td>${escapeHtml(gateTarget(data.metrics, gate) ?? "–")}</td>` +
      `<td class="num">${num(gate.actual)}</td><td>${escapeHtml(gate.expected ?? "–")}</td><td class="num">${num(gate.baseline)}</td>` +
      `<td>${escapeHtml(gate.reason)}</td></tr>`
    );
  });
  return (
    `<h2>Gates</h2>` +
    scrollBox(
      `<table id="gates"><thead><tr><th>Result</th><th>Gate</th><th>Target</th><th>Actual</th><th>Expected</th>` +
        `<th>Baseline</th><th>Detail</th></tr></thead><tbody>${rows.join("")}</tbody></table>`,
    )
  );
}

function metricsSection(data: ReportData): string {
  const parts = [`<h2>Metrics</h2>`];
  for (const { group, entries } of groupEntries(data.metrics.targets)) {
    const names = displayedMetrics(entries);
    parts.push(`<h3>${escapeHtml(group)}</h3>`);
    if (entries.length > 1 || names.length <= 12) {
      const charts = names.map((name) =>
        renderBarChart(name, entries.filter((entry) => entry.metrics[name] !== undefined).map((entry) => ({ label: entry.label, value: entry.metrics[name] })), lowerIsBetter(name)),
      );
      parts.push(`<div class="charts">${charts.join("")}</div>`);
    }
    const header = names.map((name) => `<th>${escapeHtml(name)}</th>`).join("");
    const rows = entries.map(
      (entry) =>
        `<tr><td>${escapeHtml(entry.label)}</td><td class="num">${entry.lines}</td><td class="num">${entry.failed}</td>` +
        names.map((name) => `<td class="num">${num(entry.metrics[name])}</td>`).join("") +
        `</tr>`,
    );
    parts.push(scrollBox(`<table><thead><tr><th>Variant / deployment</th><th>Lines</th><th>Failed</th>${header}</tr></thead><tbody>${rows.join("")}</tbody></table>`));
  }
  return parts.join("");
}

function comparisonSection(tables: ComparisonTable[]): string {
  const parts: string[] = [];
  for (const table of tables) {
    if (table.rows.length === 0) continue;
    const rows = table.rows.map(
      (row) =>
        `<tr><td>${escapeHtml(`${row.group}.${row.metric}`)}</td><td class="num">${num(row.left)}</td><td class="num">${num(row.right)}</td>` +
        `<td class="num">${row.delta === undefined ? "–" : escapeHtml(formatDelta(row.delta))}</td>` +
        `<td class="verdict-${row.verdict}">${row.verdict}</td></tr>`,
    );
    parts.push(
      `<h3>${escapeHtml(table.title)}</h3>` +
        scrollBox(
          `<table><thead><tr><th>Metric</th><th>${escapeHtml(table.leftLabel)}</th>` +
            `<th>${escapeHtml(table.rightLabel)}</th><th>Delta</th><th>Verdict</th></tr></thead>` +
            `<tbody>${rows.join("")}</tbody></table>`,
        ),
    );
  }
  return parts.length === 0 ? "" : `<h2>Comparisons</h2>${parts.join("")}`;
}

const outcomeLabels: Record<LineOutcome, string> = {
  run_failed: "run failed",
  eval_error: "not scorable",
  miss: "missed",
  ok: "ok",
};

function lineRow(line: ReportLine): string {
  const scores = Object.entries(line.scores)
    .map(([name, value]) => `${name}=${formatNumber(value)}`)
    .join("\n");
  const detail = [line.error, ...line.notes].filter((text): text is string => text !== undefined).join("\n");
  return (
    `<tr class="${line.outcome}" data-outcome="${line.outcome}" data-run="${escapeHtml(line.run)}">` +
    `<td>${outcomeLabels[line.outcome]}</td><td>${escapeHtml(line.run)}</td><td>${escapeHtml(line.dataset)}</td>` +
    `<td class="num">${line.lineNumber}</td>${jsonCell(line.inputs)}${jsonCell(line.outputs)}${line.expected ? jsonCell(line.expected) : "<td>–</td>"}` +
    `<td><pre>${escapeHtml(scores)}</pre></td><td><pre>${escapeHtml(truncate(detail))}</pre></td>` +
    `<td class="num">${line.durationMs === undefined ? "–" : escapeHtml(formatNumber(Math.round(line.durationMs)))}</td></tr>`
  );
}

function linesSection(lines: ReportLine[]): string {
  if (lines.length === 0) return `<h2>Lines</h2><p class="hint">No lines were evaluated.</p>`;
  const runs = [...new Set(lines.map((line) => line.run))].sort();
  const shown = lines.slice(0, maxHtmlLines);
  const note =
    lines.length > shown.length
      ? `<p class="hint">Showing the first ${shown.length} of ${lines.length} lines (failures first); results.csv has them all.</p>`
      : "";
  const options = Object.entries(outcomeLabels)
    .map(([value, label]) => `<option value="${value}">${label}</option>`)
    .join("");
  const runOptions = runs.map((run) => `<option value="${escapeHtml(run)}">${escapeHtml(run)}</option>`).join("");
  return (
    `<h2>Lines</h2>${note}<div class="filters">` +
    `<label>Status <select id="f-status"><option value="">all</option><option value="problem">any problem</option>${options}</select></label>` +
    `<label>Variant / deployment <select id="f-run"><option value="">all</option>${runOptions}</select></label>` +
    `<label>Search <input id="f-text" type="search" placeholder="text in any column"></label><span id="f-count" class="hint"></span></div>` +
    scrollBox(
      `<table id="lines"><thead><tr><th>Status</th><th>Variant / deployment</th><th>Dataset</th><th>Line</th><th>Inputs</th>` +
        `<th>Outputs</th><th>Expected</th><th>Scores</th><th>Errors / reasons</th><th>ms</th></tr></thead><tbody>${shown.map(lineRow).join("")}</tbody></table>`,
    )
  );
}

export function renderHtmlReport(data: ReportData): string {
  const { metrics } = data;
  const summary = gateSummary(metrics);
  const verdict =
    metrics.gates.length === 0
      ? `<span class="verdict none">no gates</span>`
      : summary.ok
        ? `<span class="verdict pass">PASSED</span>`
        : `<span class="verdict fail">FAILED</span>`;
  const totalLines = data.lines.length;
  const failedLines = data.lines.filter((line) => line.outcome === "run_failed").length;
  const csp = `default-src 'none'; style-src ${hash(css)}; script-src ${hash(script)}; img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>${css}</style></head>
<body><header><h1>${escapeHtml(data.title)}${verdict}</h1>
<div class="meta">Run <code>${escapeHtml(metrics.run_id)}</code> · phase ${escapeHtml(metrics.phase)} · ${escapeHtml(metrics.created_at)}
 · <button id="copy-metrics" type="button">Copy metrics.json</button></div>
<div class="cards"><div class="card"><b>${summary.passed}</b>gates passed</div><div class="card"><b>${summary.failed}</b>gates failed</div>
<div class="card"><b>${metrics.targets.length}</b>metric sets</div><div class="card"><b>${totalLines}</b>lines</div>
<div class="card"><b>${failedLines}</b>lines failed to run</div></div></header>
<main>${gatesSection(data)}${metricsSection(data)}${comparisonSection(data.comparisons)}${linesSection(data.lines)}</main>
<script type="application/json" id="metrics-json">${jsonForScript(metrics)}</script>
<script>${script}</script>
</body></html>
`;
}
