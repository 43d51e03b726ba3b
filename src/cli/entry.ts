/**
 * The `llmops` process: runs a command and sets the exit code. Loaded by llmops.cjs (compiled from dist/ when the build is current, else through tsx), and
 * compiled (dist/cli/entry.js) in the serving image, whose /usr/local/bin/llmops executes it.
 */
import { runCli } from "./main";

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error && err.stack ? err.stack : String(err));
    process.exitCode = 1;
  },
);
