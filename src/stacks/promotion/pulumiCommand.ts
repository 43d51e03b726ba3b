import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "../../core/userError";

export interface PulumiInvocation {
  stack: string;
  /** Pass `--yes`: apply without Pulumi's interactive confirmation (CI). */
  yes: boolean;
  /** Run `pulumi preview` instead of `pulumi up`: shows the change, applies nothing. */
  dryRun: boolean;
}

/** The `pulumi` arguments a promotion runs. */
export function pulumiArguments(invocation: PulumiInvocation): string[] {
  if (invocation.dryRun) return ["preview", "--stack", invocation.stack];
  const args = ["up", "--stack", invocation.stack];
  if (invocation.yes) args.push("--yes");
  return args;
}

export const pulumiMissingMessage =
  "the `pulumi` CLI was not found on PATH. Install it (https://www.pulumi.com/docs/iac/download-install/, " +
  "e.g. `curl -fsSL https://get.pulumi.com | sh`; in GitHub Actions `uses: pulumi/actions@v6` with no command) and retry.";

/**
 * Fails fast, before minutes of planning, when `pulumi` is not on PATH. Looks the executable up the way the
 * shell does (PATH entries in order; PATHEXT suffixes on Windows) instead of running it.
 */
export function assertPulumiOnPath(env: NodeJS.ProcessEnv): void {
  const suffixes = process.platform === "win32" ? (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const directory of (env.PATH ?? "").split(path.delimiter)) {
    if (directory === "") continue;
    for (const suffix of suffixes) {
      try {
        fs.accessSync(path.join(directory, `pulumi${suffix}`), fs.constants.X_OK);
        return;
      } catch {
        // not in this directory
      }
    }
  }
  throw new UserError(pulumiMissingMessage);
}

/**
 * Runs the real `pulumi` CLI with the terminal attached (its own prompts and progress) in `env`, the command
 * line's environment (PULUMI_ACCESS_TOKEN / PULUMI_CONFIG_PASSPHRASE / ARM_* stay in the environment and are
 * never printed). Resolves to Pulumi's exit code; a missing binary is a UserError.
 */
export function runPulumi(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("pulumi", args, { cwd: options.cwd, env: options.env, stdio: "inherit" });
    child.once("error", (error: NodeJS.ErrnoException) => {
      reject(error.code === "ENOENT" ? new UserError(pulumiMissingMessage) : error);
    });
    child.once("close", (code, signal) => {
      resolve(code ?? (signal ? 128 + signalNumber(signal) : 1));
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return numbers[signal] ?? 1;
}
