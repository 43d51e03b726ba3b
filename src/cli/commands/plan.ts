import * as fs from "node:fs";
import * as path from "node:path";
import { formatPlanReport } from "../../stacks/offlinePlan/formatPlan";
import { runOfflinePlan } from "../../stacks/offlinePlan/runOfflinePlan";
import { UserError } from "../../core/userError";
import { requireProjectRoot } from "../projectRoot";
import { parseCommandOptions } from "../commandOptions";
import type { Command } from "../command";

const usage = `usage: llmops plan --stack <name> [--config <path>] [--json <file>]

Runs the Pulumi program offline (no Azure, no Pulumi CLI) against Pulumi.<name>.yaml and prints every resource it
would declare, the traffic split and the stack outputs. Secrets are masked.

options:
  --stack <name>    stack whose Pulumi.<name>.yaml is read (required)
  --config <path>   deployment config to use instead of the stack's llmops:deploymentConfigPath
  --json <file>     also write {"stack", "resources": [{type, name, parent, inputs, options}], "outputs"} to <file>`;

export const planCommand: Command = {
  summary: "show every resource a stack would declare, offline (Pulumi mocks)",
  usage,
  async run(args) {
    const options = parseCommandOptions(args, { stack: { type: "string" }, config: { type: "string" }, json: { type: "string" } }, usage);
    const stack = options.text("stack");
    if (stack === undefined) throw new UserError(`--stack is required\n\n${usage}`);
    const config = options.text("config");
    const json = options.text("json");
    const projectRoot = requireProjectRoot("plan");
    const report = await runOfflinePlan({
      stack,
      projectRoot,
      environment: process.env,
      ...(config !== undefined ? { deploymentConfigPath: path.resolve(config) } : {}),
    });
    // A terminal's own width; CI logs (not a TTY) get the default.
    console.log(formatPlanReport(report, process.stdout.columns));
    if (json !== undefined) {
      const target = path.resolve(json);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, `${JSON.stringify(report, null, 2)}\n`);
      console.log(`\nwrote ${path.relative(process.cwd(), target) || target}`);
    }
    return 0;
  },
};
