import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runRuns } from "../../src/runs/runFlowRuns";

describe("runs: runRuns", () => {
  let workingDirectory: string;
  beforeEach(() => {
    workingDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-runs-wd-"));
  });
  afterEach(() => fs.rmSync(workingDirectory, { recursive: true, force: true }));

  it("reads --flow and --data and writes --out relative to the working directory it is given, not the process's", async () => {
    fs.cpSync(path.join(__dirname, "../support/flows/cpu_bound"), path.join(workingDirectory, "flow"), { recursive: true });
    const rows = [1, 2, 3].map((id) => JSON.stringify({ id, text: `ticket ${id}`, rounds: 1, fail_sevens: false }));
    fs.writeFileSync(path.join(workingDirectory, "tickets.jsonl"), `${rows.join("\n")}\n`);
    const outName = `out-${path.basename(workingDirectory)}`;

    const result = await runRuns(
      { flow: "flow", data: "tickets.jsonl", out: outName, mappings: {}, datasets: [], resume: false },
      { environment: process.env, workingDirectory, note: () => undefined },
    );

    assert.equal(result.interrupted, false);
    const outputs = fs.readFileSync(path.join(workingDirectory, outName, "tickets__default", "outputs.jsonl"), "utf8").trim().split("\n");
    assert.deepEqual(outputs.map((line) => (JSON.parse(line) as { outputs: { id: number } }).outputs.id).sort(), [1, 2, 3]);
    assert.equal(fs.existsSync(path.join(process.cwd(), outName)), false, "nothing is written under the process's working directory");
  });
});
