import { UserError } from "../core/userError";
import { terminalText } from "./terminalText";

import type { Command } from "./command";

// Loaded lazily so `llmops plan` never pays for the flow runner's imports and vice versa.
const commands: Record<string, () => Command> = {
  plan: () => (require("./commands/plan") as typeof import("./commands/plan")).planCommand,
  run: () => (require("./commands/run") as typeof import("./commands/run")).runCommand,
  evaluate: () => (require("./commands/evaluate") as typeof import("./commands/evaluate")).evaluateCommand,
  promote: () => (require("./commands/promote") as typeof import("./commands/promote")).promoteCommand,
  serve: () => (require("./commands/serve") as typeof import("./commands/serve")).serveCommand,
  chat: () => (require("./commands/chat") as typeof import("./commands/chat")).chatCommand,
  "use-cases": () => (require("./commands/useCases") as typeof import("./commands/useCases")).useCasesCommand,
};

/** Commands that run inside jobs, not typed by people: callable, but not listed in help. */
const hiddenCommands: Record<string, () => Command> = {
  "run-shard": () => (require("./commands/runShard") as typeof import("./commands/runShard")).runShardCommand,
};

function help(): string {
  const lines = ["usage: llmops <command> [options]", "", "commands:"];
  for (const [name, load] of Object.entries(commands)) {
    lines.push(`  ${name.padEnd(10)} ${load().summary}`);
  }
  lines.push("", "Run `llmops <command> --help` for a command's options.");
  return lines.join("\n");
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(help());
    return name ? 0 : 2;
  }
  const load = commands[name] ?? hiddenCommands[name];
  if (!load) {
    console.error(`llmops: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  const command = load();
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UserError) {
      console.error(`llmops ${name}: ${terminalText(err.message)}`);
      return err.exitCode;
    }
    throw err;
  }
}
