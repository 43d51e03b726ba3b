import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { UserError } from "../../src/core/userError";
import { buildMetricsFile, buildReportLines, type EvaluatedRun } from "../../src/evaluation/assemble";
import { abComparison } from "../../src/evaluation/comparison";
import { createBuiltinEvaluator } from "../../src/evaluation/evaluators/builtin";
import { evaluateLines } from "../../src/evaluation/evaluators/evaluateLines";
import { formatNumber } from "../../src/evaluation/formatNumber";
import { parseGates } from "../../src/evaluation/gates/gate";
import { parseMetricsFile } from "../../src/evaluation/metricsFile";
import { writeFileAtomic } from "../../src/core/files";
import { renderResultsCsv } from "../../src/evaluation/report/csvReport";
import { csvField, markdownCell } from "../../src/evaluation/report/escape";
import { renderHtmlReport } from "../../src/evaluation/report/htmlReport";
import { renderMarkdownReport } from "../../src/evaluation/report/markdownReport";
import { renderTextSummary } from "../../src/evaluation/report/textSummary";
import type { ReportData } from "../../src/evaluation/report/reportData";
import { newRunId, reportFileNames, writeReports } from "../../src/evaluation/report/writeReports";
import type { RunLine } from "../../src/evaluation/types";
import { parseXml, type XmlElement } from "./support/xmlParser";

const imgAttack = "<img src=x onerror=alert(1)>";
const scriptAttack = "</script><script>alert(2)</script>";
const attributeAttack = `"><svg onload=alert(3)>`;
const hostileVariant = `few_shot${attributeAttack}</script>`;

function runLines(): RunLine[] {
  const rows: [string, string, "Completed" | "Failed"][] = [
    [imgAttack, "billing", "Completed"],
    ["=HYPERLINK(\"http://evil.example\",\"x\")", scriptAttack, "Completed"],
    ["+1 my card was charged twice", "billing", "Completed"],
    ["@SUM(A1:A9) -- password reset", "account", "Failed"],
  ];
  return rows.map(([ticket, category, status], lineNumber) => ({
    lineNumber,
    status,
    inputs: { ticket_text: ticket },
    outputs: status === "Failed" ? {} : { category },
    ...(status === "Failed" ? { error: { type: "HttpError", message: "HTTP 500 \u0001 & <broken>" } } : {}),
    durationMs: 100 * (lineNumber + 1),
    usage: { promptTokens: 20, completionTokens: 5, totalTokens: 25 },
    data: { truth: lineNumber === 0 ? "billing" : "billing" },
  }));
}

async function reportData(): Promise<ReportData> {
  const evaluator = createBuiltinEvaluator({ name: "exact", builtin: "exact_match", mappings: { prediction: "${run.outputs.category}", reference: "${data.truth}" } });
  const lines = runLines();
  const runs: EvaluatedRun[] = [
    { dataset: "eval", variant: hostileVariant, target: { kind: "flow" }, lines, evaluators: [await evaluateLines(evaluator, lines)] },
    { dataset: "eval", variant: "zero_shot", target: { kind: "flow" }, lines, evaluators: [await evaluateLines(evaluator, lines)] },
  ];
  const metrics = buildMetricsFile({
    phase: "pre",
    runId: "pre-20261124T090000Z-abc123",
    createdAt: new Date("2026-11-24T09:00:00Z"),
    runs,
    gates: parseGates(["exact_match >= 0.8", "run.error_rate <= 0.3", "accuracy >= 0.5"]),
  });
  return { title: "Support tickets <pre-deployment>", metrics, lines: buildReportLines(runs), comparisons: [] };
}

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), "llmops-eval-report-"));
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

describe("evaluation: metrics file and report assembly", () => {
  it("builds one entry per dataset x evaluator x variant plus the operational run entry", async () => {
    const { metrics } = await reportData();
    assert.deepEqual(metrics.targets.map((entry) => entry.id), [
      `eval/run@${hostileVariant}`,
      `eval/exact@${hostileVariant}`,
      "eval/run@zero_shot",
      "eval/exact@zero_shot",
    ]);
    const exact = metrics.targets[1];
    assert.ok(Math.abs(exact.metrics.exact_match - 2 / 3) < 1e-12); // 3 completed lines, 2 say billing
    assert.equal(exact.lines, 4);
    assert.equal(exact.failed, 1);
    assert.equal(metrics.targets[0].metrics.error_rate, 0.25);
    assert.deepEqual(metrics.gates.map((gate) => gate.passed), [false, false, true, true, false]);
  });

  it("round-trips metrics.json and rejects a malformed baseline with its JSON path", async () => {
    const { metrics } = await reportData();
    const parsed = parseMetricsFile(JSON.stringify(metrics), "baseline.json");
    assert.deepEqual(parsed.targets, metrics.targets);
    assert.equal(parsed.run_id, metrics.run_id);
    const broken = JSON.parse(JSON.stringify(metrics)) as { targets: { metrics: Record<string, unknown> }[] };
    broken.targets[1].metrics.exact_match = "0.9";
    assert.throws(() => parseMetricsFile(JSON.stringify(broken), "baseline.json"), /baseline.json: \$\.targets\[1\]\.metrics\.exact_match: expected a finite number/);
    assert.throws(() => parseMetricsFile('{"version": 2}', "b.json"), /\$\.version: expected 1/);
    assert.throws(() => parseMetricsFile("{", "b.json"), /expected valid JSON/);
  });

  it("orders report lines failures first: run failed, then misses, then ok", async () => {
    const { lines } = await reportData();
    assert.deepEqual(lines.slice(0, 4).map((line) => [line.outcome, line.lineNumber]), [
      ["run_failed", 3],
      ["run_failed", 3],
      ["miss", 1],
      ["miss", 1],
    ]);
    assert.equal(lines.at(-1)!.outcome, "ok");
  });
});

describe("evaluation: report files", () => {
  let out: string;
  before(async () => {
    out = await tempDir();
  });
  after(() => fs.rm(out, { recursive: true, force: true }));

  it("writes every report into its own run directory, with the numbers from metrics.json", async () => {
    const data = await reportData();
    const written = await writeReports(out, data);
    assert.equal(written.dir, path.join(out, data.metrics.run_id));
    assert.deepEqual((await fs.readdir(written.dir)).sort(), [...reportFileNames].sort());
    const metrics = parseMetricsFile(await fs.readFile(written.files["metrics.json"], "utf8"), "metrics.json");
    const markdown = await fs.readFile(written.files["report.md"], "utf8");
    const html = await fs.readFile(written.files["report.html"], "utf8");
    for (const entry of metrics.targets) {
      for (const name of ["exact_match", "error_rate", "p95_latency_ms", "total_tokens"]) {
        const value = entry.metrics[name];
        if (value === undefined) continue;
        assert.ok(markdown.includes(formatNumber(value)), `report.md has ${name} ${value}`);
        assert.ok(html.includes(formatNumber(value)), `report.html has ${name} ${value}`);
      }
    }
    assert.match(markdown, /❌ gates failed/);
    assert.match(markdown, /\| ❌ \| exact\\_match &gt;= 0\.8 \|/);
    assert.match(html, /<span class="verdict fail">FAILED<\/span>/);
    // The latest run is findable without its id: CI appends <out>/report.md to the step summary.
    assert.equal(await fs.readFile(path.join(out, "report.md"), "utf8"), markdown);
    const pointer = JSON.parse(await fs.readFile(path.join(out, "latest.json"), "utf8")) as { run_id: string; files: Record<string, string> };
    assert.equal(pointer.run_id, data.metrics.run_id);
    assert.equal(pointer.files["metrics.json"], `${data.metrics.run_id}/metrics.json`);
    assert.match(html, /<svg width="\d+" height="\d+" viewBox="[^"]+" role="img" aria-label="exact_match">/);
    assert.ok(!/https?:\/\//.test(html.replace(/http:\/\/evil\.example/g, "")), "no URLs at all in the page");
  });

  it("never overwrites an earlier run's reports", async () => {
    const data = await reportData();
    data.metrics.run_id = "pre-second";
    const first = await writeReports(out, data);
    const before = await fs.readFile(first.files["metrics.json"], "utf8");
    await assert.rejects(writeReports(out, { ...data, title: "other evaluator" }), (err: unknown) => err instanceof UserError && /already exists/.test(err.message));
    assert.equal(await fs.readFile(first.files["metrics.json"], "utf8"), before);
    await assert.rejects(writeReports(out, { ...data, metrics: { ...data.metrics, run_id: "../escape" } }), /run id/);
  });

  it("makes sortable, unique-looking run ids", () => {
    assert.equal(newRunId("post", new Date("2026-11-24T09:30:05.123Z"), "f00d"), "post-20261124T093005Z-f00d");
  });
});

describe("evaluation: report.html is inert for hostile data", () => {
  let html: string;
  before(async () => {
    html = renderHtmlReport(await reportData());
  });

  it("escapes every dataset value: no raw <img, <svg or injected <script", () => {
    assert.ok(!/<img/i.test(html), "raw <img found");
    assert.ok(!/<svg onload/i.test(html), "raw <svg onload found");
    assert.equal(count(html, "<script"), 2, "only the page's own two script elements");
    assert.equal(count(html, "</script>"), 2, "data never closes a script element");
    assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;"));
    assert.ok(html.includes("&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
  });

  it("escapes inside attributes", async () => {
    assert.ok(html.includes(`data-run="few_shot&quot;&gt;&lt;svg onload=alert(3)&gt;&lt;/script&gt;"`));
    assert.ok(!html.includes(`data-run="few_shot"`));
    // A long hostile value gets a tooltip: the attribute must not be closable by a quote in the data.
    const data = await reportData();
    data.lines[0].inputs = { ticket_text: `${attributeAttack}${"x".repeat(500)}` };
    const long = renderHtmlReport(data);
    assert.match(long, /<pre title="\{\n &quot;ticket_text&quot;: &quot;\\&quot;&gt;&lt;svg onload=alert\(3\)&gt;x+/);
    assert.ok(!/<svg onload/i.test(long));
  });

  it("embeds metrics as JSON that cannot break out of its script element and parses back intact", async () => {
    const marker = '<script type="application/json" id="metrics-json">';
    const start = html.indexOf(marker) + marker.length;
    const embedded = html.slice(start, html.indexOf("</script>", start));
    assert.ok(!embedded.includes("<") && !embedded.includes(">"));
    assert.deepEqual(JSON.parse(embedded), JSON.parse(JSON.stringify((await reportData()).metrics)));
  });

  it("is self-contained: no external resources, a CSP that allows only its own script and style", () => {
    const withoutAttributeValues = html.replace(/"[^"]*"/g, '""');
    assert.ok(!/<[^>]*\s(?:src|href)\s*=/i.test(withoutAttributeValues), "no src/href attributes");
    assert.ok(!/@import|url\(/i.test(html));
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
    const sha = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1].replace(/&#39;/g, "'");
    assert.match(csp, /default-src 'none'/);
    assert.ok(csp.includes(`script-src ${sha(script)}`));
    assert.ok(csp.includes(`style-src ${sha(style)}`));
  });

  it("offers status, variant and text filters with failures first", () => {
    assert.match(html, /<select id="f-status">/);
    assert.match(html, /<select id="f-run">/);
    assert.match(html, /<input id="f-text" type="search"/);
    const firstRow = /<tbody><tr class="(\w+)" data-outcome/.exec(html.slice(html.indexOf('id="lines"')))![1];
    assert.equal(firstRow, "run_failed");
  });
});

describe("evaluation: report.md, results.csv and junit.xml escaping", () => {
  it("keeps markdown tables intact and HTML inert", () => {
    assert.equal(markdownCell("a|b\nc <img src=x> ![t](http://x/p.png)"), "a\\|b c &lt;img src=x&gt; \\!\\[t\\](http://x/p.png)");
  });

  it("quotes CSV per RFC 4180 and guards formula cells", () => {
    assert.equal(csvField('say "hi", ok'), '"say ""hi"", ok"');
    assert.equal(csvField("line\nbreak"), '"line\nbreak"');
    for (const formula of ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]) {
      assert.ok(csvField(formula).replace(/^"/, "").startsWith("'"), formula);
    }
    assert.equal(csvField(-0.5), "-0.5");
    assert.equal(csvField("plain"), "plain");
  });

  it("writes results.csv with a header, one row per line and guarded dataset text", async () => {
    const data = await reportData();
    const csv = [...renderResultsCsv(data.lines)].join("");
    const rows = csv.split("\r\n").filter((row) => row !== "");
    assert.equal(rows.length, data.lines.length + 1);
    assert.match(rows[0], /^run,dataset,line_number,status,outcome,duration_ms,error,inputs,outputs,exact\.exact_match,notes$/);
    // Inputs are JSON objects (start with "{"), error text starting with a formula character is guarded.
    assert.ok(!/(^|,)[=+@]/.test(csv.replace(/"[^"]*"/g, "")), "no unquoted formula cell");
    const guarded = [...renderResultsCsv([{ ...data.lines[0], run: "=cmd|' /C calc'!A0", error: "-1" }])].join("");
    assert.ok(guarded.includes("'=cmd|' /C calc'!A0"));
    assert.ok(guarded.includes(",'-1,"));
  });

  it("writes well-formed JUnit XML with one testcase per gate and escaped failure messages", async () => {
    const data = await reportData();
    data.metrics.gates.push({ gate: "smoke test: <ep> & \u0001", kind: "smoke", metric: "smoke", passed: false, reason: 'FAILED: body "<oops>" & more' });
    data.metrics.gates.push({ gate: "regression", kind: "regression", metric: "m", passed: true, skipped: true, reason: "no baseline" });
    const out = await tempDir();
    try {
      const written = await writeReports(out, data);
      const root = parseXml(await fs.readFile(written.files["junit.xml"], "utf8"));
      assert.equal(root.name, "testsuites");
      const suite = root.children[0];
      const cases = suite.children;
      assert.equal(cases.length, data.metrics.gates.length);
      assert.equal(suite.attributes.tests, String(cases.length));
      const failed = cases.filter((testcase: XmlElement) => testcase.children.some((child) => child.name === "failure"));
      assert.equal(suite.attributes.failures, String(failed.length));
      assert.equal(failed.length, data.metrics.gates.filter((gate) => !gate.passed).length);
      const smoke = cases.find((testcase) => testcase.attributes.classname === "quality.smoke")!;
      assert.equal(smoke.attributes.name, "smoke test: <ep> & \uFFFD");
      assert.equal(smoke.children[0].attributes.message, 'FAILED: body "<oops>" & more');
      assert.equal(suite.attributes.skipped, "1");
    } finally {
      await fs.rm(out, { recursive: true, force: true });
    }
  });
});

describe("evaluation: atomic writes", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it("replaces the file's content as a whole", async () => {
    const target = path.join(dir, "report.md");
    await writeFileAtomic(target, "old");
    await writeFileAtomic(target, ["new ", "content"]);
    assert.equal(await fs.readFile(target, "utf8"), "new content");
    assert.deepEqual(await fs.readdir(dir), ["report.md"]);
  });

  it("leaves the previous file untouched and no temp file behind when writing fails midway", async () => {
    const target = path.join(dir, "results.csv");
    await writeFileAtomic(target, "complete,old\r\n");
    async function* crashing(): AsyncGenerator<string> {
      yield "half,";
      throw new Error("disk full");
    }
    await assert.rejects(writeFileAtomic(target, crashing()), /disk full/);
    assert.equal(await fs.readFile(target, "utf8"), "complete,old\r\n");
    assert.deepEqual(await fs.readdir(dir), ["results.csv"]);
  });

  it("never creates a partial file when the first write fails", async () => {
    const target = path.join(dir, "metrics.json");
    function* failing(): Generator<string> {
      yield "{";
      throw new Error("crash");
    }
    await assert.rejects(writeFileAtomic(target, failing()), /crash/);
    assert.deepEqual(await fs.readdir(dir), []);
  });
});

describe("evaluation: comparison tables in reports", () => {
  it("renders an A/B table in markdown and html", async () => {
    const data = await reportData();
    const post = { ...data.metrics, phase: "post" as const, targets: [
      { ...data.metrics.targets[1], id: "a", label: "ep:blue (few_shot)", target: { kind: "deployment" as const, endpoint: "ep", deployment: "blue" } },
      { ...data.metrics.targets[1], id: "b", label: "ep:green (zero_shot)", target: { kind: "deployment" as const, endpoint: "ep", deployment: "green" }, metrics: { exact_match: 0.5 } },
    ] };
    const table = abComparison(post, "ep", "green", "blue");
    const withTable = { ...data, comparisons: [table] };
    const markdown = renderMarkdownReport(withTable);
    assert.match(markdown, /### A\/B: ep prior vs current deployment/);
    assert.match(markdown, /\| eval\/exact\.exact\\_match \| 0\.5 \| 0\.666667 \| \+0\.166667 \| better \|/);
    assert.match(renderHtmlReport(withTable), /<td class="verdict-better">better<\/td>/);
  });
});

describe("evaluation: wide tables and missed lines", () => {
  it("splits a metrics table wider than eight metrics into several in report.md instead of dropping columns", async () => {
    const data = await reportData();
    const metrics = Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`metric_${String(i).padStart(2, "0")}`, i / 10]));
    const wide = { ...data, metrics: { ...data.metrics, targets: [{ ...data.metrics.targets[1], metrics }] } };
    const markdown = renderMarkdownReport(wide);
    for (const name of Object.keys(metrics)) assert.ok(markdown.includes(name.replace(/_/g, "\\_")), `${name} is missing from report.md`);
    const headers = markdown.split("\n").filter((line) => line.startsWith("| Variant / deployment |"));
    assert.equal(headers.length, 3, "19 metrics: tables of 8, 8 and 3");
    for (const header of headers) assert.ok(header.split("|").length - 2 <= 11, header);
  });

  it("shows the expected value (the dataset's ground truth) next to the output of a missed line in report.html", async () => {
    const data = await reportData();
    const missed = data.lines.find((line) => line.outcome === "miss");
    assert.ok(missed, "the sample has a missed line");
    assert.deepEqual(missed.expected, { truth: "billing" });
    const html = renderHtmlReport(data);
    assert.match(html, /<th>Outputs<\/th><th>Expected<\/th>/);
    const row = html.split("<tr").find((text) => text.includes('data-outcome="miss"'));
    assert.ok(row?.includes("&quot;truth&quot;: &quot;billing&quot;") || row?.includes('"truth": "billing"'), row);
  });
});

describe("evaluation: the console summary on a terminal", () => {
  it("is plain text: gates and metric names as written, no Markdown escapes or HTML entities, control characters shown escaped", async () => {
    const data = await reportData();
    const hostile = { ...data, title: "Support \u001b[31mtickets\u202e" };
    const text = renderTextSummary(hostile);
    assert.match(text, /FAIL {2}exact_match >= 0\.8/);
    assert.match(text, /run\.error_rate <= 0\.3/);
    assert.doesNotMatch(text, /\\_|&gt;|&lt;|\| --- \||^#+ /m);
    assert.doesNotMatch(text, /[\u001b\u202e]/);
    assert.match(text, /\\u001b\[31m/);
  });
});
