/**
 * A use case in the genaiops template's layout, written by the test and never edited afterwards, through the CLI:
 * `plan`, `run`, `evaluate --phase pre` and `evaluate --phase post`, against the fake OpenAI and scoring servers.
 * The stack names the folder (`llmops:useCase`); run and evaluate find it from `--stack` or `--use-case`.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runLlmops } from "../support/cli";
import { startFakeOpenAiServer, type FakeOpenAiServer, type FakeRequest } from "../support/fakeOpenAiServer";
import { startFakeScoringServer, type FakeScoringServer } from "../support/fakeScoringServer";
import { expectedSentiment, reviewRows, useCaseStackFile, writeTemplateUseCase } from "../support/templateUseCase";

const repositoryRoot = path.resolve(__dirname, "..", "..");
const apiKey = "aoai-key-usecase-51c2";
const endpointKey = "endpoint-key-usecase-9d0e";

const runCli = runLlmops;

function lastUserMessage(request: FakeRequest): string {
  const messages = (request.body.messages ?? []) as { role: string; content: string }[];
  return [...messages].reverse().find((m) => m.role === "user")?.content ?? "";
}

function readJsonl(file: string): Record<string, unknown>[] {
  return fs.readFileSync(file, "utf8").split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Every file under a folder with its content, to prove the commands edited nothing. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (current: string): void => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const absolute = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "__pycache__" && entry.name !== ".llmops") walk(absolute);
      } else files[path.relative(dir, absolute)] = fs.readFileSync(absolute, "utf8");
    }
  };
  walk(dir);
  return files;
}

describe("a template use case through the CLI: plan, run, evaluate pre and post", function () {
  this.timeout(400_000);
  let root: string;
  let useCase: string;
  let before_: Record<string, string>;
  let openAi: FakeOpenAiServer;
  let scoring: FakeScoringServer;
  let env: Record<string, string>;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-usecase-e2e-"));
    fs.copyFileSync(path.join(repositoryRoot, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
    fs.writeFileSync(path.join(root, "Pulumi.reviews-dev.yaml"), useCaseStackFile("review_sentiment"));
    useCase = writeTemplateUseCase(root, "review_sentiment");
    before_ = snapshot(useCase);
    // Both variants answer by keyword, in a letter case parse.py normalises.
    openAi = await startFakeOpenAiServer({ apiKey, answer: (request) => (expectedSentiment(lastUserMessage(request)) === "positive" ? "Positive." : "Negative") });
    // The deployed flow as the endpoint serves it: the sentiment of the review it is sent.
    scoring = await startFakeScoringServer({ key: endpointKey, deployments: { blue: (inputs) => ({ sentiment: expectedSentiment(String(inputs.review)) }) } });
    env = { AOAI_API_BASE: openAi.url, api_key: apiKey };
  });
  after(async () => {
    await openAi.close();
    await scoring.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("plans the stack from the use-case folder: the template's names, its placeholders skipped with a notice", async () => {
    const out = path.join(root, "plan.json");
    const result = await runCli(["plan", "--stack", "reviews-dev", "--json", out], root, {});
    assert.equal(result.code, 0, result.stderr);
    const report = fs.readFileSync(out, "utf8");
    assert.match(report, /"review_sentiment_dev"/);
    assert.match(result.stdout + result.stderr, /kubernetes_endpoint\[0\] \(ENV_NAME "dev"\) is a placeholder/);
    assert.match(result.stdout + result.stderr, /webapp_endpoint\[0\] \(ENV_NAME "dev"\) is a placeholder/);
  });

  it("runs every dataset x variant of the use case's experiment from --stack, with env.yaml applied", async () => {
    const out = path.join(root, "runs");
    const result = await runCli(["run", "--stack", "reviews-dev", "--out", out], root, env);
    assert.equal(result.code, 0, result.stderr);
    const runs = fs.readdirSync(out).filter((name) => fs.statSync(path.join(out, name)).isDirectory()).sort();
    assert.deepEqual(runs, ["review_sentiment_reviews__classify.variant_0", "review_sentiment_reviews__classify.variant_1"]);
    for (const run of runs) {
      const records = readJsonl(path.join(out, run, "records.jsonl")).sort((x, y) => Number(x.line_number) - Number(y.line_number));
      // SENTIMENT_CASE: upper comes from environment/env.yaml.
      assert.deepEqual(records.map((r) => (r.outputs as Record<string, unknown>).sentiment), reviewRows.map((row) => row.sentiment.toUpperCase()), run);
    }
  });

  it("evaluates before deployment from --use-case: the evaluation flow scores every variant (exit 0)", async () => {
    const out = path.join(root, "pre");
    const result = await runCli(["evaluate", "--phase", "pre", "--use-case", "review_sentiment", "--env", "dev", "--out", out], root, env);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const metrics = JSON.parse(fs.readFileSync(path.join(out, "metrics.json"), "utf8")) as { targets: { id: string; metrics: Record<string, number> }[] };
    const accuracy = metrics.targets.filter((t) => t.id.startsWith("review_sentiment_reviews/sentiment_match@")).map((t) => t.metrics.accuracy);
    assert.deepEqual(accuracy, [1, 1]);
  });

  it("evaluates the deployed endpoint from --stack: smoke test with the use case's sample-request.json (exit 0)", async () => {
    const outputs = path.join(root, "outputs.json");
    fs.writeFileSync(
      outputs,
      JSON.stringify({ stack: "reviews-dev", environment: "dev", endpointName: "review-sentiment-dev", scoringUri: scoring.scoringUrl, deploymentNames: ["blue"], traffic: { blue: 100 } }),
    );
    const out = path.join(root, "post");
    const result = await runCli(["evaluate", "--phase", "post", "--stack", "reviews-dev", "--stack-outputs", outputs, "--out", out], root, { ...env, LLMOPS_ENDPOINT_KEY: endpointKey });
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const smoke = scoring.requests.find((request) => JSON.stringify(request.body) === JSON.stringify({ review: "I love it" }));
    assert.ok(smoke, "the smoke test sent sample-request.json of the use-case folder");
    const metrics = JSON.parse(fs.readFileSync(path.join(out, "metrics.json"), "utf8")) as { targets: { id: string; metrics: Record<string, number> }[] };
    assert.ok(metrics.targets.some((t) => t.id.startsWith("review_sentiment_reviews/sentiment_match") && t.metrics.accuracy === 1), JSON.stringify(metrics.targets.map((t) => t.id)));
  });

  it("edited no file of the use case", () => {
    assert.deepEqual(snapshot(useCase), before_);
  });
});
