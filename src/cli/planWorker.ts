/**
 * Child-process entry of `runOfflinePlan` (src/stacks/offlinePlan): one stack, one fresh Pulumi runtime. Reads its
 * request from argv, plans with this process's environment (the caller's, passed down by runOfflinePlan), writes
 * the outcome (report or error) as JSON to the request's result file, then exits.
 */
// First: the Pulumi SDK's closure serialiser must not load with the SDK (see deferClosureSerializer).
import "../stacks/offlinePlan/deferClosureSerializer";
import * as fs from "node:fs";
import { planOutcome, type WorkerRequest } from "../stacks/offlinePlan/planInProcess";

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? "{}") as WorkerRequest;
  fs.writeFileSync(request.resultFile, JSON.stringify(await planOutcome(request, process.env)));
  // The Pulumi runtime may hold handles open after a mock run; the outcome is written, so leave now.
  process.exit(0);
}

void main();
