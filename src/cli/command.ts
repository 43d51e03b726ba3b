/** A subcommand: parses its own arguments and returns the process exit code. */
export interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}
