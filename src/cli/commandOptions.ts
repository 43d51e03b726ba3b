import { parseArgs, type ParseArgsConfig } from "node:util";
import { UserError } from "../core/userError";

export type OptionSpecs = NonNullable<ParseArgsConfig["options"]>;

/**
 * One subcommand's flags, parsed strictly. Every accessor turns a usage mistake into a UserError that ends with
 * the command's usage text, so each command validates the same way and prints the same kind of message.
 */
export interface CommandOptions {
  /** A string flag's value; undefined when absent; an error when given empty. */
  text: (name: string) => string | undefined;
  /** Every value of a `multiple: true` flag. */
  list: (name: string) => string[];
  /** Whether a flag of any type was given. */
  given: (name: string) => boolean;
  flag: (name: string) => boolean;
  /** A whole number >= 1, or undefined when absent. */
  positiveInteger: (name: string) => number | undefined;
  fail: (message: string) => never;
}

/** A usage mistake: the message, then the command's usage text. */
export function usageError(message: string, usage: string): UserError {
  return new UserError(`${message}\n\n${usage}`);
}

export function parseCommandOptions(args: string[], options: OptionSpecs, usage: string): CommandOptions {
  function fail(message: string): never {
    throw usageError(message, usage);
  }
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({ args, options, strict: true, allowPositionals: false }));
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const text = (name: string): string | undefined => {
    const value = values[name];
    if (typeof value !== "string") return undefined;
    if (value.trim() === "") fail(`--${name} needs a value`);
    return value;
  };
  return {
    text,
    list: (name) => {
      const value = values[name];
      return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
    },
    given: (name) => values[name] !== undefined,
    flag: (name) => values[name] === true,
    positiveInteger: (name) => {
      const value = text(name);
      if (value === undefined) return undefined;
      if (!/^[1-9][0-9]*$/.test(value)) fail(`--${name}: expected a whole number >= 1, found '${value}'`);
      return Number(value);
    },
    fail,
  };
}
