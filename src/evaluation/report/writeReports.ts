/**
 * The imperative shell of reporting: renders every format and writes them into `<outDir>/<runId>/`. Each
 * evaluation run gets its own directory, so several evaluators, datasets and phases never overwrite each other's
 * reports; an existing run directory is refused rather than mixed with a second run's files.
 *
 * Once the run's set is complete, two pointers at the top of `<outDir>` name the latest run: `report.md` (a copy,
 * so CI can append `<out>/report.md` to $GITHUB_STEP_SUMMARY without knowing the run id) and `latest.json`
 * (`{run_id, dir, files}`, paths relative to `<outDir>`). They are the only files a later run replaces.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { UserError } from "../../core/userError";
import { serializeMetricsFile } from "../metricsFile";
import { writeFileAtomic } from "../../core/files";
import { renderResultsCsv } from "./csvReport";
import { renderHtmlReport } from "./htmlReport";
import { renderJunitXml } from "./junitReport";
import { renderMarkdownReport } from "./markdownReport";
import type { ReportData } from "./reportData";

export const reportFileNames = ["metrics.json", "report.html", "report.md", "results.csv", "junit.xml"] as const;

export interface WrittenReports {
  dir: string;
  files: Record<(typeof reportFileNames)[number], string>;
  /** `<outDir>/report.md` and `<outDir>/latest.json`. */
  latest: { reportMd: string; pointer: string };
}

const runIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A run id like `pre-20261124T093000Z-3f9a`: sortable by time, unique per invocation, safe as a directory name. */
export function newRunId(phase: string, now: Date, random: string): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${phase}-${stamp}-${random}`;
}

export async function writeReports(outDir: string, data: ReportData): Promise<WrittenReports> {
  const runId = data.metrics.run_id;
  if (!runIdPattern.test(runId) || runId.includes("..")) {
    throw new UserError(`run id '${runId}' must be 1-128 letters, digits, '.', '_' or '-' (it names the report directory)`);
  }
  await fs.mkdir(outDir, { recursive: true });
  const dir = path.join(outDir, runId);
  try {
    await fs.mkdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") {
      throw new UserError(`${dir} already exists: each evaluation run writes its own directory; pick a new run id`);
    }
    throw err;
  }
  const files = Object.fromEntries(reportFileNames.map((name) => [name, path.join(dir, name)])) as WrittenReports["files"];
  // metrics.json last: its presence marks a complete report set, and it is what the next run reads as a baseline.
  await writeFileAtomic(files["results.csv"], renderResultsCsv(data.lines));
  await writeFileAtomic(files["junit.xml"], renderJunitXml(data.metrics));
  await writeFileAtomic(files["report.md"], renderMarkdownReport(data));
  await writeFileAtomic(files["report.html"], renderHtmlReport(data));
  await writeFileAtomic(files["metrics.json"], serializeMetricsFile(data.metrics));
  const markdown = await fs.readFile(files["report.md"], "utf8");
  const latest = { reportMd: path.join(outDir, "report.md"), pointer: path.join(outDir, "latest.json") };
  await writeFileAtomic(latest.reportMd, markdown);
  const relative = Object.fromEntries(Object.entries(files).map(([name, file]) => [name, path.relative(outDir, file).split(path.sep).join("/")]));
  await writeFileAtomic(latest.pointer, `${JSON.stringify({ run_id: runId, dir: runId, files: relative }, null, 2)}\n`);
  return { dir, files, latest };
}
