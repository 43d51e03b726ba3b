/**
 * `--on azureml` and its options, shared by `llmops run` and `llmops evaluate --phase pre`: parsed into the
 * request src/runs/azureml/connect.ts turns into jobs, and `--dry-run` output.
 */
import type { AzureMlRequest } from "../runs/azureml/connect";
import type { RecordedRequest } from "../runs/azureml/dryRun";
import type { CommandOptions, OptionSpecs } from "./commandOptions";
import { findProjectRoot } from "../core/projectRoot";

export const azureMlOptionSpecs: OptionSpecs = {
  on: { type: "string" },
  stack: { type: "string" },
  instances: { type: "string" },
  "mini-batch-size": { type: "string" },
  compute: { type: "string" },
  "instance-type": { type: "string" },
  "poll-interval": { type: "string" },
  "dry-run": { type: "boolean" },
  json: { type: "boolean" },
};

export const azureMlUsage = `  --on <local|azureml>      where lines run (default local); azureml: Azure ML command jobs, one per instance
  --stack <name>            with --on azureml: the stack (Pulumi.<name>.yaml) whose workspace, llmops:jobs
                            cluster, identity and environment the jobs use
  --instances <n>           instances (jobs) working at once (default: the cluster's maxNodes; 1 serverless)
  --concurrency <n>         with --on azureml: lines in flight per instance (default 16)
  --mini-batch-size <n>     lines per mini-batch, the unit an instance checkpoints (default 100)
  --compute <cluster>       another compute cluster of the workspace than the stack's
  --instance-type <vm>      serverless compute of this VM size instead of a cluster (e.g. Standard_D4s_v3)
  --poll-interval <s>       seconds between job status polls (default 10)
  --dry-run                 print the ARM and blob requests instead of sending them (--json: as JSON)`;



/** undefined for a local run; refuses Azure ML options without `--on azureml`. */
export function parseAzureMlOptions(options: CommandOptions, cwd: string): AzureMlRequest | undefined {
  const on = options.text("on") ?? "local";
  if (on !== "local" && on !== "azureml") options.fail(`--on ${on}: expected local or azureml`);
  const azureOnly = ["instances", "mini-batch-size", "compute", "instance-type", "poll-interval", "dry-run", "json"].filter((name) => options.given(name));
  if (on === "local") {
    if (azureOnly.length > 0) options.fail(`--${azureOnly.join(", --")} ${azureOnly.length > 1 ? "apply" : "applies"} to --on azureml only`);
    return undefined;
  }
  const stack = options.text("stack");
  if (stack === undefined) options.fail("--on azureml needs --stack <name>: its workspace and llmops:jobs are where the jobs run");
  const projectRoot = findProjectRoot(cwd);
  if (projectRoot === undefined) options.fail(`--on azureml: no Pulumi.yaml in ${cwd} or above (run from the project)`);
  if (options.given("json") && !options.given("dry-run")) options.fail("--json applies to --dry-run");
  const request: AzureMlRequest = { stack, projectRoot, dryRun: options.flag("dry-run") };
  const instances = options.positiveInteger("instances");
  const concurrency = options.positiveInteger("concurrency");
  const miniBatchSize = options.positiveInteger("mini-batch-size");
  const compute = options.text("compute");
  const instanceType = options.text("instance-type");
  const poll = options.text("poll-interval");
  if (instances !== undefined) request.instances = instances;
  if (concurrency !== undefined) request.concurrency = concurrency;
  if (miniBatchSize !== undefined) request.miniBatchSize = miniBatchSize;
  if (compute !== undefined) request.compute = compute;
  if (instanceType !== undefined) request.instanceType = instanceType;
  if (compute !== undefined && instanceType !== undefined) options.fail("give --compute or --instance-type, not both");
  if (poll !== undefined) {
    const seconds = Number(poll);
    if (!/^[0-9]+(\.[0-9]+)?$/.test(poll) || !(seconds > 0)) options.fail(`--poll-interval: expected seconds > 0, found '${poll}'`);
    request.pollIntervalMs = Math.round(seconds * 1000);
  }
  return request;
}

/** `--dry-run` output: JSON for checks, or one line per request for people. */
export function printRecordedRequests(requests: readonly RecordedRequest[], json: boolean): void {
  if (json) {
    console.log(JSON.stringify({ requests }, null, 2));
    return;
  }
  for (const request of requests) {
    const size = request.bytes !== undefined ? ` (${request.bytes} bytes)` : "";
    console.log(`${request.method.padEnd(4)} ${request.url}${size}${request.note ? `  # ${request.note}` : ""}`);
  }
  console.log(`\n${requests.length} requests would be sent; nothing was. Add --json to see the bodies.`);
}
