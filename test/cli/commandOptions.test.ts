import * as assert from "node:assert/strict";
import { parseCommandOptions } from "../../src/cli/commandOptions";
import { UserError } from "../../src/core/userError";

const usage = "usage: llmops demo --name <n> [--tag <t>]... [--count N] [--yes]";
const specs = {
  name: { type: "string" },
  tag: { type: "string", multiple: true },
  count: { type: "string" },
  yes: { type: "boolean" },
} as const;

function usageError(run: () => unknown, message: RegExp): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof UserError, String(err));
    assert.match(err.message, message);
    assert.ok(err.message.endsWith(usage), "the usage text follows every mistake");
    return true;
  });
}

describe("CLI option parsing shared by every command", () => {
  it("reads strings, repeated flags, booleans and whole numbers", () => {
    const options = parseCommandOptions(["--name", "a", "--tag", "x", "--tag", "y", "--count", "12", "--yes"], specs, usage);
    assert.equal(options.text("name"), "a");
    assert.deepEqual(options.list("tag"), ["x", "y"]);
    assert.equal(options.positiveInteger("count"), 12);
    assert.equal(options.flag("yes"), true);
    assert.equal(options.given("name"), true);
  });

  it("leaves absent flags undefined, empty or false", () => {
    const options = parseCommandOptions([], specs, usage);
    assert.equal(options.text("name"), undefined);
    assert.deepEqual(options.list("tag"), []);
    assert.equal(options.positiveInteger("count"), undefined);
    assert.equal(options.flag("yes"), false);
    assert.equal(options.given("name"), false);
  });

  it("turns every usage mistake into a UserError with the usage text", () => {
    usageError(() => parseCommandOptions(["--nmae", "a"], specs, usage), /Unknown option '--nmae'/);
    usageError(() => parseCommandOptions(["stray"], specs, usage), /positional/);
    usageError(() => parseCommandOptions(["--name", "  "], specs, usage).text("name"), /--name needs a value/);
    for (const bad of ["0", "-3", "2.5", "ten"]) {
      usageError(() => parseCommandOptions([`--count=${bad}`], specs, usage).positiveInteger("count"), /--count: expected a whole number >= 1/);
    }
  });
});
