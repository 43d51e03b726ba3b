import { runOfflinePlan } from "../../stacks/offlinePlan/runOfflinePlan";
import { assertPulumiOnPath, runPulumi } from "../../stacks/promotion/pulumiCommand";
import { runPromotion } from "../../stacks/promotion/runPromotion";
import { UserError } from "../../core/userError";
import { parseCommandOptions } from "../commandOptions";
import { requireProjectRoot } from "../projectRoot";
import type { Command } from "../command";

const usage = `usage: llmops promote --from <stack> --to <stack> [--yes] [--dry-run] [--json <file>] [--summary <file>]

Promotion by switching stacks: prints what <to> would declare differently from <from> (resources added,
removed or with other inputs, traffic, model and image references, Pulumi.<stack>.yaml keys and the two
environments' deployment_config.json entries), then runs \`pulumi up --stack <to>\`.

  --from <stack>     the stack already deployed and evaluated, e.g. dev
  --to <stack>       the stack to update, e.g. prod
  --yes              pass --yes to pulumi up (no interactive confirmation; needed in CI)
  --dry-run          run \`pulumi preview --stack <to>\` instead: nothing is changed
  --json <file>      also write the diff as JSON
  --summary <file>   append the diff as markdown, e.g. "$GITHUB_STEP_SUMMARY"

--dry-run shows the offline diff even without the pulumi CLI (the preview is then skipped, exit 0).
Otherwise needs the pulumi CLI on PATH and its backend login (PULUMI_ACCESS_TOKEN or PULUMI_BACKEND_URL +
PULUMI_CONFIG_PASSPHRASE). Exit code: pulumi's; 2 for a usage or configuration mistake.`;

export const promoteCommand: Command = {
  summary: "show what differs between two stacks, then pulumi up the target stack",
  usage,
  async run(args: string[]): Promise<number> {
    const options = parseCommandOptions(
      args,
      {
        from: { type: "string" },
        to: { type: "string" },
        yes: { type: "boolean" },
        "dry-run": { type: "boolean" },
        json: { type: "string" },
        summary: { type: "string" },
      },
      usage,
    );
    const from = options.text("from");
    const to = options.text("to");
    if (from === undefined || to === undefined) {
      throw new UserError(`--from and --to are required\n\n${usage}`);
    }
    const projectRoot = requireProjectRoot("promote");
    const result = await runPromotion(
      {
        from,
        to,
        yes: options.flag("yes"),
        dryRun: options.flag("dry-run"),
        projectRoot,
        jsonFile: options.text("json"),
        summaryFile: options.text("summary"),
      },
      {
        checkPulumi: () => assertPulumiOnPath(process.env),
        // Each plan runs in its own process (see runOfflinePlan), so planning both stacks at once is safe.
        planStack: (stack) => runOfflinePlan({ stack, projectRoot, environment: process.env }),
        runPulumi: (pulumiArgs) => runPulumi(pulumiArgs, { cwd: projectRoot, env: process.env }),
        print: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
      },
    );
    return result.exitCode;
  },
};
