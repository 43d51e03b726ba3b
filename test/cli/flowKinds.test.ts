/**
 * Flex flows, prompty and chat flows end to end through the real CLI (`llmops run`, `llmops evaluate --phase pre`,
 * `llmops chat`) against the fake OpenAI server on 127.0.0.1, with the sample flows in test/flows/kinds.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runLlmops } from "../evaluation/phases/cliSupport";
import { kindsAnswer } from "../flows/kindsAnswer";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fakeOpenAiServer";

const root = path.resolve(__dirname, "../..");
const kinds = path.join(root, "test/flows/kinds");
const apiKey = "fake-key-cli-kinds-4242";

const llmops = (args: string[], env: Record<string, string>, stdin = "") => runLlmops(args, env, { stdin });

function jsonLines(file: string): Record<string, unknown>[] {
  return fs.readFileSync(file, "utf8").split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("flow kinds through the CLI (run, evaluate --phase pre, chat)", function () {
  let server: FakeOpenAiServer;
  let tmp: string;
  let env: Record<string, string>;
  let connectionsFile: string;

  before(async () => {
    server = await startFakeOpenAiServer({
      apiKey,
      answer: kindsAnswer,
    });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-kinds-"));
    env = { AOAI_API_BASE: server.url, AOAI_API_KEY: apiKey };
    connectionsFile = path.join(kinds, "experiment.yaml");
  });
  after(async () => {
    await server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("llmops run --flow runs a class flex flow with init.json and a Prompty inside", async () => {
    const out = path.join(tmp, "flex");
    const result = await llmops(["run", "--flow", path.join(kinds, "class_flex"), "--data", path.join(kinds, "data/qa.jsonl"), "--connections", connectionsFile, "--out", out], env);
    assert.equal(result.code, 0, result.stderr);
    const outputs = jsonLines(path.join(out, "qa__default", "outputs.jsonl"));
    assert.deepEqual(outputs.map((o) => (o.outputs as Record<string, unknown>).answer), [
      "answer to What is prompt flow? after 2 messages",
      "answer to Name two colours after 4 messages",
      "answer to Why is the sky blue? after 2 messages",
    ]);
    const summary = JSON.parse(fs.readFileSync(path.join(out, "qa__default", "summary.json"), "utf8")) as { metrics: Record<string, unknown>; usage: { total: number } };
    assert.deepEqual(summary.metrics, { mean_words: 9, answered: 3 });
    assert.ok(summary.usage.total > 0);
    assert.doesNotMatch(fs.readFileSync(path.join(out, "qa__default", "records.jsonl"), "utf8"), new RegExp(apiKey));
  });

  it("takes a flex flow's init arguments from the experiment (init:), overridden by --init", async () => {
    const experiment = path.join(kinds, "experiment.yaml");
    const fromExperiment = path.join(tmp, "init-experiment");
    const first = await llmops(["run", "--experiment", experiment, "--env", "short", "--out", fromExperiment], env);
    assert.equal(first.code, 0, first.stderr);
    const answers = (dir: string): unknown[] => jsonLines(path.join(dir, "qa__default", "outputs.jsonl")).map((o) => (o.outputs as Record<string, unknown>).answer);
    assert.deepEqual(answers(fromExperiment), ["answer to", "answer to", "answer to"]);
    const fromFlag = path.join(tmp, "init-flag");
    const second = await llmops(["run", "--experiment", experiment, "--env", "short", "--init", '{"max_words": 3}', "--out", fromFlag], env);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(answers(fromFlag), ["answer to What", "answer to Name", "answer to Why"]);
  });

  it("llmops run --flow x.prompty runs a prompty directly, its JSON answer as outputs", async () => {
    const out = path.join(tmp, "prompty");
    const result = await llmops(["run", "--flow", path.join(kinds, "prompty_json/classify.prompty"), "--data", path.join(kinds, "data/tickets.jsonl"), "--connections", connectionsFile, "--out", out], env);
    assert.equal(result.code, 0, result.stderr);
    const outputs = jsonLines(path.join(out, "tickets__default", "outputs.jsonl")).map((o) => o.outputs);
    assert.deepEqual(outputs, [{ category: "billing", confidence: 0.9 }, { category: "technical", confidence: 0.9 }]);
    const german = server.requests.find((r) => JSON.stringify(r.body).includes("written in German"));
    assert.ok(german, "the second ticket's language input reached the prompt");
  });

  it("llmops evaluate --phase pre evaluates a flex flow with a flex evaluator whose __aggregate__ feeds the gate", async () => {
    const out = path.join(tmp, "eval");
    const result = await llmops(["evaluate", "--phase", "pre", "--experiment", path.join(kinds, "experiment.yaml"), "--out", out], env);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    const metrics = fs.readFileSync(path.join(out, "metrics.json"), "utf8");
    assert.match(metrics, /"accuracy"/);
    assert.match(result.stdout, /judge/);
    assert.match(result.stdout, /0\.66/);
  });

  it("llmops chat keeps the history across turns and ends at end of input", async () => {
    const result = await llmops(["chat", "--flow", path.join(kinds, "chat_dag"), "--connections", connectionsFile], env, "first question\nsecond question\n");
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Bot: answer to first question after 2 messages/);
    assert.match(result.stdout, /Bot: answer to second question after 4 messages/);
  });

  it("llmops chat refuses a flow that is not a chat flow", async () => {
    const result = await llmops(["chat", "--flow", path.join(kinds, "package_tools"), "--connections", connectionsFile], env, "");
    assert.equal(result.code, 2);
    assert.match(result.stderr, /not a chat flow/);
  });
});
