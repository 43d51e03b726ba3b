import { findProjectRoot } from "../core/projectRoot";
import { UserError } from "../core/userError";

/** The project of the working directory, for commands that cannot run outside one. */
export function requireProjectRoot(command: string): string {
  const root = findProjectRoot(process.cwd());
  if (root === undefined) throw new UserError(`no Pulumi.yaml in ${process.cwd()} or any folder above it: run llmops ${command} inside the project`);
  return root;
}
