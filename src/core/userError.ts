import { escapeControlCharacters } from "./controlCharacters";

/**
 * A mistake the user can fix (bad config, missing file, unknown flag). The CLI prints its message without a
 * stack trace and exits with code 2; anything else is a bug and keeps its stack.
 */
export class UserError extends Error {
  override readonly name: string = "UserError";
  readonly exitCode: number = 2;
}

/** A config file that does not match its schema or the semantic rules: names file, JSON path, expected, found. */
export class ConfigError extends UserError {
  override readonly name = "ConfigError";
  constructor(
    readonly file: string,
    readonly jsonPath: string,
    readonly expected: string,
    readonly found: string,
  ) {
    // One line whatever the file holds: a key name or value with a newline, an ANSI escape or a bidi override
    // is shown escaped, never acted on by the terminal.
    super(escapeControlCharacters(`${file}: ${jsonPath}: expected ${expected}, found ${found}`));
  }
}
