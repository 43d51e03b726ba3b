import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomicSync } from "../../core/files";
import { UserError } from "../../core/userError";
import { loadStackConfigSource } from "./loadStackConfig";
import { buildPromotionDiff } from "./promotionDiff";
import { pulumiArguments } from "./pulumiCommand";
import { renderPromotionMarkdown, renderPromotionText } from "./renderDiff";
import type { PromotionDiff, StackPlanSnapshot } from "./types";

export interface PromotionOptions {
  from: string;
  to: string;
  yes: boolean;
  dryRun: boolean;
  projectRoot: string;
  /** Write the diff as JSON here (parent folders created). */
  jsonFile?: string;
  /** Append the diff as markdown here, e.g. `$GITHUB_STEP_SUMMARY`. */
  summaryFile?: string;
}

/** The I/O a promotion does, injected so tests can run it without Pulumi. */
export interface PromotionDependencies {
  /** Throws a UserError when the pulumi CLI cannot run; called before any planning. */
  checkPulumi(): void;
  planStack(stack: string): Promise<StackPlanSnapshot>;
  runPulumi(args: string[]): Promise<number>;
  print(text: string): void;
}

export interface PromotionResult {
  diff: PromotionDiff;
  pulumiArgs: string[];
  /** Pulumi's exit code. */
  exitCode: number;
}

const stackNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Promotion by switching stacks: show what the target stack would declare differently from the source stack
 * (offline plans and config files), then hand over to `pulumi up --stack <to>` (or `preview` for a dry run).
 * The diff is printed and written before Pulumi runs, so a failed update still leaves the record.
 */
export async function runPromotion(options: PromotionOptions, dependencies: PromotionDependencies): Promise<PromotionResult> {
  for (const [flag, stack] of [["--from", options.from], ["--to", options.to]] as const) {
    if (!stackNamePattern.test(stack)) throw new UserError(`${flag}: expected a stack name (letters, digits, '-', '_', '.'), found '${stack}'`);
  }
  if (options.from === options.to) throw new UserError(`--from and --to name the same stack '${options.from}': promotion needs two stacks`);

  // A dry run's offline diff needs no Pulumi CLI: without one it still shows the diff and skips the preview.
  let pulumiMissing: UserError | undefined;
  try {
    dependencies.checkPulumi();
  } catch (err) {
    if (!(options.dryRun && err instanceof UserError)) throw err;
    pulumiMissing = err;
  }
  const configs = {
    from: loadStackConfigSource(options.projectRoot, options.from),
    to: loadStackConfigSource(options.projectRoot, options.to),
  };
  // Both plans at once: each runs in its own process, so they share nothing.
  const [fromPlan, toPlan] = await Promise.all([dependencies.planStack(options.from), dependencies.planStack(options.to)]);
  const plans = { from: fromPlan, to: toPlan };
  const diff = buildPromotionDiff(plans, configs);
  const pulumiArgs = pulumiArguments({ stack: options.to, yes: options.yes, dryRun: options.dryRun });

  dependencies.print(renderPromotionText(diff));
  if (options.jsonFile !== undefined) {
    writeFileAtomicSync(options.jsonFile, `${JSON.stringify({ ...diff, pulumi: { args: pulumiArgs } }, null, 2)}\n`);
  }
  if (options.summaryFile !== undefined) {
    fs.mkdirSync(path.dirname(path.resolve(options.summaryFile)), { recursive: true });
    fs.appendFileSync(options.summaryFile, renderPromotionMarkdown(diff));
  }

  if (pulumiMissing !== undefined) {
    dependencies.print(`Skipped \`pulumi ${pulumiArgs.join(" ")}\` (the offline diff above is complete): ${pulumiMissing.message}`);
    return { diff, pulumiArgs, exitCode: 0 };
  }
  dependencies.print(`Running: pulumi ${pulumiArgs.join(" ")}`);
  const exitCode = await dependencies.runPulumi(pulumiArgs);
  if (exitCode !== 0) dependencies.print(`pulumi ${pulumiArgs[0]} --stack ${options.to} exited with code ${exitCode}`);
  return { diff, pulumiArgs, exitCode };
}
