/**
 * `--baseline`: a previous evaluation's metrics.json, or the `--out` folder of a previous evaluation (its
 * latest.json names the newest run). Strictly parsed: a misread baseline would wave regressions through.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseMetricsFile, type MetricsFile } from "..";
import { readTextFile } from "../../core/files";
import { shownPath } from "../../core/shownPath";
import { UserError } from "../../core/userError";

function latestMetricsFile(dir: string): string {
  const pointer = path.join(dir, "latest.json");
  if (fs.existsSync(pointer)) {
    let latest: unknown;
    try {
      latest = JSON.parse(fs.readFileSync(pointer, "utf8"));
    } catch (err) {
      throw new UserError(`--baseline ${pointer}: not valid JSON (${(err as Error).message})`);
    }
    const runDir = typeof latest === "object" && latest !== null ? (latest as { dir?: unknown }).dir : undefined;
    if (typeof runDir !== "string" || runDir.includes("..") || path.isAbsolute(runDir)) {
      throw new UserError(`--baseline ${pointer}: expected {"dir": "<run id>"} naming a run folder beside it`);
    }
    return path.join(dir, runDir, "metrics.json");
  }
  return path.join(dir, "metrics.json");
}

/** `argument` as the user gave it, relative to `workingDirectory`, where the file's errors are shown from too. */
export function readBaseline(argument: string, workingDirectory: string): MetricsFile {
  const given = path.resolve(workingDirectory, argument);
  if (!fs.existsSync(given)) throw new UserError(`--baseline ${argument}: not found (give a metrics.json or the --out folder of an earlier evaluation)`);
  const file = fs.statSync(given).isDirectory() ? latestMetricsFile(given) : given;
  const text = readTextFile(file, { missing: () => new UserError(`--baseline ${argument}: ${file} not found`) });
  return parseMetricsFile(text, shownPath(file, workingDirectory));
}
