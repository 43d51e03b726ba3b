/**
 * Writing an evaluation's reports (src/evaluation's writeReports: `<out>/<run id>/`, pointers at the top of
 * `<out>`) plus `<out>/metrics.json`, the newest run's metrics as the next run's `--baseline`, and the text the
 * command prints: report.md (a short summary by design) and where every file is.
 */
import * as path from "node:path";
import { writeFileAtomic } from "../../core/files";
import { shownPath } from "../../core/shownPath";
import { allPassed, serializeMetricsFile, writeReports, type ReportData, type WrittenReports } from "..";

export interface EvaluationReports {
  written: WrittenReports;
  /** `<out>/metrics.json`. */
  latestMetrics: string;
  passed: boolean;
}

export async function writeEvaluationReports(outDir: string, data: ReportData): Promise<EvaluationReports> {
  const written = await writeReports(outDir, data);
  const latestMetrics = path.join(outDir, "metrics.json");
  await writeFileAtomic(latestMetrics, serializeMetricsFile(data.metrics));
  return { written, latestMetrics, passed: allPassed(data.metrics.gates) };
}

/** What the command prints after the report.md text: paths relative to `workingDirectory` when under it. */
export function reportLocations(reports: EvaluationReports, workingDirectory: string): string {
  const shown = (file: string): string => shownPath(file, workingDirectory);
  const files = reports.written.files;
  const failed = reports.passed ? "" : " (gates failed)";
  return [
    `reports${failed}: ${shown(reports.written.dir)}/`,
    `  report.html   ${shown(files["report.html"])}`,
    `  report.md     ${shown(files["report.md"])}`,
    `  metrics.json  ${shown(files["metrics.json"])} (also ${shown(reports.latestMetrics)}, the next --baseline)`,
    `  results.csv   ${shown(files["results.csv"])}`,
    `  junit.xml     ${shown(files["junit.xml"])}`,
  ].join("\n");
}
