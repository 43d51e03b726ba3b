import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { UserError } from "../../src/core/userError";
import { datasetLineProblem, jsonErrorOffset } from "../../src/runs/datasetLines";
import { preflight, type PreflightInput } from "../../src/runs/preflight";

const sampleFlow = path.resolve(__dirname, "../../flows/support_ticket_classifier");

/** The message of the UserError `work` rejects with. */
async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (err) {
    assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
    assert.doesNotMatch(err.message, /\n/, "one line");
    return err.message;
  }
  assert.fail("expected the preflight to refuse");
}

describe("preflight: check before spending", () => {
  let tmp: string;
  let flow: string;
  let data: string;
  const input = (overrides: Partial<PreflightInput> = {}): PreflightInput => ({
    flows: [flow],
    connections: ["aoai"],
    connectionsHint: "pass --connections <file>",
    datasets: [data],
    environment: process.env,
    ...overrides,
  });

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-preflight-"));
    flow = path.join(tmp, "flow");
    fs.cpSync(sampleFlow, flow, { recursive: true });
    data = path.join(tmp, "data.jsonl");
    fs.writeFileSync(data, `${JSON.stringify({ ticket_text: "refund please" })}\n\n${JSON.stringify({ ticket_text: "down" })}\n`);
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("passes the sample flow with a valid dataset", async () => {
    await preflight(input());
  });

  it("names the template, line and column of a Jinja syntax error, in any variant's template", async () => {
    const template = path.join(flow, "classify_few_shot.jinja2");
    const lines = fs.readFileSync(template, "utf8").split("\n");
    lines[2] = "{% for example in %}";
    fs.writeFileSync(template, lines.join("\n"));
    const message = await refusal(preflight(input()));
    assert.match(message, new RegExp(`^${template.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3:\\d+: template syntax error: `));
    assert.match(message, /nothing was run/);
  });

  it("names the file, line and column of a Python syntax error without importing the file", async () => {
    const tool = path.join(flow, "compute_priority.py");
    const marker = path.join(tmp, "imported");
    fs.writeFileSync(tool, `open(${JSON.stringify(marker)}, "w").write("side effect")\n\ndef broken(:\n    return 1\n`);
    const message = await refusal(preflight(input()));
    assert.match(message, /compute_priority\.py:3:\d+: SyntaxError: /);
    assert.equal(fs.existsSync(marker), false, "the file was parsed, never run");
  });

  it("checks every flow given (evaluate --phase pre: the evaluator flows too)", async () => {
    const evaluator = path.join(tmp, "evaluator");
    fs.cpSync(path.resolve(sampleFlow, "../ticket_classification_eval"), evaluator, { recursive: true });
    fs.writeFileSync(path.join(evaluator, "score_line.py"), "def score(:\n");
    assert.match(await refusal(preflight(input({ flows: [flow, evaluator] }))), /evaluator\/score_line\.py:1:\d+: SyntaxError/);
  });

  it("points into the .prompty file, not into its body", async () => {
    const prompty = path.join(tmp, "chat.prompty");
    fs.writeFileSync(prompty, ["---", "name: chat", "model:", "  api: chat", "---", "system:", "Hello {{ name", ""].join("\n"));
    const message = await refusal(preflight(input({ flows: [prompty], connections: [] })));
    assert.match(message, /chat\.prompty:7:\d+: template syntax error/);
  });

  it("names the dataset line and column that is not JSON, or not an object", async () => {
    fs.writeFileSync(data, `${JSON.stringify({ ticket_text: "a" })}\n\n{"ticket_text": "b",}\n[1]\n`);
    const message = await refusal(preflight(input()));
    assert.match(message, /data\.jsonl:3:21: not valid JSON: unexpected "}"/);
    fs.writeFileSync(data, `${JSON.stringify({ ticket_text: "a" })}\n[1]\n`);
    assert.match(await refusal(preflight(input())), /data\.jsonl:2:1: expected a JSON object .*found an array/);
  });

  it("refuses a connection nobody defined, saying where it is used and what to do", async () => {
    const message = await refusal(preflight(input({ connections: [] })));
    assert.match(message, /connection 'aoai' \(node classify\.zero_shot\).*pass --connections <file>/);
  });

  it("refuses a missing dataset by name", async () => {
    assert.match(await refusal(preflight(input({ datasets: [path.join(tmp, "nope.jsonl")] }))), /nope\.jsonl: file not found/);
  });
});

describe("dataset lines", () => {
  it("finds the offset where a line stops being JSON", () => {
    assert.equal(jsonErrorOffset('{"a": 1}'), -1);
    assert.equal(jsonErrorOffset('{"a": }'), 6);
    assert.equal(jsonErrorOffset('{"a": 1'), 7);
    assert.equal(jsonErrorOffset('{"a": tru}'), 6);
    assert.equal(jsonErrorOffset('{"a": "x\\q"}'), 8);
    assert.equal(jsonErrorOffset('{"a": [1, 2,]}'), 12);
    assert.equal(jsonErrorOffset('{"a": 1} x'), 9);
    assert.equal(jsonErrorOffset("[".repeat(200_000)), 0);
  });

  it("never quotes more than a few characters of the line", () => {
    const secret = `sk-${"x".repeat(100)}`;
    const problem = datasetLineProblem(`{"key": ${secret}}`);
    assert.ok(problem);
    assert.ok(!problem.message.includes(secret));
    assert.equal(problem.column, 9);
  });
});
