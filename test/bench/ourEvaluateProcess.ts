/**
 * One measured run of our path in its own process, so its peak RSS is its own:
 *   ourEvaluateProcess.ts <data.jsonl> <scoring url> <concurrency> <run dir> <result.json>
 * The result file also carries this process's own maxRSS, a cross-check of the parent's measurement.
 */
import { writeFile } from "node:fs/promises";
import { evaluateAgainstEndpoint } from "./ourEvaluate";

async function main([data, scoringUrl, concurrency, runDir, resultFile]: string[]): Promise<void> {
  if (data === undefined || scoringUrl === undefined || concurrency === undefined || runDir === undefined || resultFile === undefined) {
    throw new Error("usage: ourEvaluateProcess.ts <data.jsonl> <scoring url> <concurrency> <run dir> <result.json>");
  }
  const result = await evaluateAgainstEndpoint({ data, scoringUrl, concurrency: Number(concurrency), runDir });
  await writeFile(resultFile, JSON.stringify({ ...result, selfMaxRssKb: process.resourceUsage().maxRSS }));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
