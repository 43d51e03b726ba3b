import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { UserError } from "../../../src/core/userError";
import { assertPulumiOnPath, pulumiMissingMessage } from "../../../src/stacks/promotion/pulumiCommand";

describe("stacks/promotion/pulumiCommand", () => {
  let bin: string;
  let empty: string;
  before(function () {
    if (process.platform === "win32") this.skip();
    bin = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-pulumi-bin-"));
    empty = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-empty-bin-"));
    fs.writeFileSync(path.join(bin, "pulumi"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    // A pulumi that cannot be executed does not count.
    fs.writeFileSync(path.join(empty, "pulumi"), "not executable\n", { mode: 0o644 });
  });
  after(() => {
    for (const dir of [bin, empty]) if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("looks `pulumi` up on the PATH of the environment it is given", () => {
    assertPulumiOnPath({ PATH: [empty, bin].join(path.delimiter) });
    assert.throws(() => assertPulumiOnPath({ PATH: empty }), (err: unknown) => err instanceof UserError && err.message === pulumiMissingMessage);
    assert.throws(() => assertPulumiOnPath({}), UserError);
  });
});
