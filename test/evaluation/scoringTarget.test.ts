import assert from "node:assert/strict";
import { ManualClock } from "../../src/azure/http";
import type { LineExecutor, LineOutcome } from "../../src/runs/bulk/types";
import { buildMetricsFile, type EvaluatedRun } from "../../src/evaluation/assemble";
import { abComparison } from "../../src/evaluation/comparison";
import { createBuiltinEvaluator } from "../../src/evaluation/evaluators/builtin";
import { evaluateLines } from "../../src/evaluation/evaluators/evaluateLines";
import { createScoringTarget, scoringUrl, azureMlScope, type ScoringTargetOptions } from "../../src/evaluation/scoring/scoringTarget";
import { smokeGateResult, smokeTest } from "../../src/evaluation/scoring/smokeTest";
import type { RunLine } from "../../src/evaluation/types";
import { type FakeScoringServer, startFakeScoringServer } from "../support/fakeScoringServer";

const endpointKey = "endpoint-key-do-not-print";
const entraToken = "entra-token-do-not-print";
const ticket = { ticket_text: "I was charged twice on my invoice", customer_tier: "enterprise" };
const flowOutputs = ["category", "confidence", "priority", "sla_hours"];

function run(target: LineExecutor, inputs: Record<string, unknown>, lineNumber = 0): Promise<LineOutcome> {
  return target.runLine(inputs, { lineNumber, signal: new AbortController().signal });
}

describe("evaluation: scoring targets against a local endpoint", () => {
  let endpoint: FakeScoringServer;
  let clock: ManualClock;
  const options = (extra: Partial<ScoringTargetOptions> = {}): ScoringTargetOptions => ({
    name: "ticket-ep",
    url: endpoint.scoringUrl,
    auth: { kind: "key", key: endpointKey },
    retry: { maxAttempts: 3, timeoutMs: 2000 },
    http: { clock, random: () => 0.5 },
    ...extra,
  });

  before(async () => {
    endpoint = await startFakeScoringServer({ key: endpointKey, bearerToken: entraToken });
  });
  after(() => endpoint.close());
  beforeEach(() => {
    endpoint.requests.length = 0;
    clock = new ManualClock(Date.parse("2026-11-24T09:00:00Z"));
  });

  it("POSTs the line's inputs as JSON with the key as a Bearer token and returns the response JSON as outputs", async () => {
    const outcome = await run(createScoringTarget(options()), ticket);
    assert.equal(outcome.status, "Completed");
    assert.equal(outcome.outputs.category, "billing");
    assert.equal(outcome.outputs.priority, "P2");
    const request = endpoint.requests[0];
    assert.equal(request.method, "POST");
    assert.equal(request.headers.authorization, `Bearer ${endpointKey}`);
    assert.equal(request.headers["content-type"], "application/json");
    assert.deepEqual(request.body, ticket);
  });

  it("fails the line on a wrong key without retrying and without printing the key", async () => {
    const outcome = await run(createScoringTarget(options({ auth: { kind: "key", key: "wrong-key-secret" } })), ticket);
    assert.equal(outcome.status, "Failed");
    assert.equal(outcome.error!.type, "HttpError");
    assert.match(outcome.error!.message, /HTTP 401/);
    assert.ok(!outcome.error!.message.includes("wrong-key-secret"));
    assert.equal(endpoint.requests.length, 1);
  });

  it("uses an Entra ID token for the Azure ML scope, fetched once and reused", async () => {
    const scopes: (string | string[])[] = [];
    const credential = {
      async getToken(scope: string | string[]) {
        scopes.push(scope);
        return { token: entraToken, expiresOnTimestamp: clock.now() + 3_600_000 };
      },
    };
    const target = createScoringTarget(options({ auth: { kind: "entra", credential } }));
    for (let line = 0; line < 3; line++) assert.equal((await run(target, ticket, line)).status, "Completed");
    assert.deepEqual(scopes, [azureMlScope]);
    assert.equal(azureMlScope, "https://ml.azure.com/.default");
    assert.ok(endpoint.requests.every((request) => request.headers.authorization === `Bearer ${entraToken}`));
  });

  it("pins a deployment with azureml-model-deployment; without it the traffic split decides", async () => {
    const green = createScoringTarget(options({ deployment: "green" }));
    for (let line = 0; line < 5; line++) await run(green, { ticket_text: "I cannot log in to my account" }, line);
    assert.ok(endpoint.requests.every((request) => request.headers["azureml-model-deployment"] === "green" && request.deployment === "green"));
    endpoint.requests.length = 0;
    const split = createScoringTarget(options());
    for (let line = 0; line < 40; line++) await run(split, ticket, line);
    const served = endpoint.requests.map((request) => request.deployment);
    assert.ok(endpoint.requests.every((request) => request.headers["azureml-model-deployment"] === undefined));
    const blue = served.filter((name) => name === "blue").length;
    assert.ok(blue >= 32 && blue <= 38, `blue served ${blue} of 40 at 90/10`);
    assert.ok(served.includes("green"));
  });

  it("fails a line pinned to a deployment the endpoint does not have", async () => {
    const outcome = await run(createScoringTarget(options({ deployment: "purple" })), ticket);
    assert.equal(outcome.status, "Failed");
    assert.match(outcome.error!.message, /HTTP 404.*deployment 'purple' does not exist/);
    assert.equal(endpoint.requests.length, 1);
  });

  it("retries 429 (honouring Retry-After) and 500 through the shared HTTP layer, then succeeds", async () => {
    endpoint.fail({ kind: "status", status: 429, headers: { "retry-after": "2" } }, { kind: "status", status: 500 });
    const outcome = await run(createScoringTarget(options()), ticket);
    assert.equal(outcome.status, "Completed");
    assert.equal(endpoint.requests.length, 3);
    assert.equal(clock.sleeps[0], 2000);
    assert.equal(clock.sleeps.length, 2);
  });

  it("gives up after max attempts with the last status in the line error", async () => {
    endpoint.fail({ kind: "status", status: 503 }, { kind: "status", status: 503 }, { kind: "status", status: 503 });
    const outcome = await run(createScoringTarget(options()), ticket);
    assert.equal(outcome.status, "Failed");
    assert.match(outcome.error!.message, /HTTP 503 \(3 attempts\)/);
  });

  it("fails a line as Timeout when the endpoint hangs past the per-attempt timeout", async () => {
    endpoint.fail({ kind: "hang" }, { kind: "hang" });
    const outcome = await run(createScoringTarget(options({ retry: { maxAttempts: 2, timeoutMs: 150 } })), ticket);
    assert.equal(outcome.status, "Failed");
    assert.equal(outcome.error!.type, "Timeout");
    assert.match(outcome.error!.message, /timed out after 150 ms \(2 attempts\)/);
  });

  it("fails a line with a clear error on malformed JSON or a body that is not an object", async () => {
    endpoint.fail({ kind: "malformed" });
    const malformed = await run(createScoringTarget(options()), ticket);
    assert.equal(malformed.status, "Failed");
    assert.equal(malformed.error!.type, "MalformedResponse");
    assert.match(malformed.error!.message, /not valid JSON/);
    endpoint.fail({ kind: "status", status: 200, body: ["billing"] });
    const array = await run(createScoringTarget(options()), ticket);
    assert.equal(array.status, "Failed");
    assert.equal(array.error!.message, "ticket-ep: expected a JSON object of flow outputs, got a JSON array");
  });

  it("fails a line as a network error when the connection drops on every attempt", async () => {
    endpoint.fail({ kind: "drop" }, { kind: "drop" }, { kind: "drop" });
    const outcome = await run(createScoringTarget(options()), ticket);
    assert.equal(outcome.status, "Failed");
    assert.match(outcome.error!.message, /network error/);
  });

  it("evaluates A/B deployments separately: the better deployment scores higher on the same data", async () => {
    const data = [
      { ticket_text: "My invoice shows a double charge", truth: "billing" },
      { ticket_text: "I forgot my password and cannot log in", truth: "account" },
      { ticket_text: "Where is my package? The tracking has not moved", truth: "shipping" },
      { ticket_text: "The app shows an error when I sync", truth: "technical" },
      { ticket_text: "Your site is down for everyone in our office", truth: "outage" },
    ];
    const evaluator = createBuiltinEvaluator({ name: "exact", builtin: "exact_match", mappings: { prediction: "${run.outputs.category}", reference: "${data.truth}" } });
    const runs: EvaluatedRun[] = [];
    for (const deployment of ["green", "blue"]) {
      const target = createScoringTarget(options({ deployment }));
      const lines: RunLine[] = [];
      for (const [lineNumber, row] of data.entries()) {
        const outcome = await run(target, { ticket_text: row.ticket_text }, lineNumber);
        lines.push({ lineNumber, status: outcome.status, inputs: { ticket_text: row.ticket_text }, outputs: outcome.outputs, data: row });
      }
      runs.push({ dataset: "eval", variant: "few_shot", target: { kind: "deployment", endpoint: "ticket-ep", deployment }, lines, evaluators: [await evaluateLines(evaluator, lines)] });
    }
    const metrics = buildMetricsFile({ phase: "post", runId: "post-1", createdAt: new Date(0), runs, gates: [] });
    const table = abComparison(metrics, "ticket-ep", "green", "blue");
    const exact = table.rows.find((row) => row.group === "eval/exact" && row.metric === "exact_match")!;
    assert.equal(exact.left, 0.6); // green confuses account and shipping
    assert.equal(exact.right, 1);
    assert.equal(exact.verdict, "better");
  });
});

describe("evaluation: Web App scoring and smoke tests", () => {
  let webApp: FakeScoringServer;
  let endpoint: FakeScoringServer;
  before(async () => {
    webApp = await startFakeScoringServer({ kind: "webapp" });
    endpoint = await startFakeScoringServer({ key: endpointKey });
  });
  after(async () => {
    await webApp.close();
    await endpoint.close();
  });

  const fast = { maxAttempts: 2, timeoutMs: 2000, baseDelayMs: 1 };

  it("appends /score to a bare Web App URL and scores without auth", async () => {
    assert.equal(scoringUrl(webApp.url), `${webApp.url}/score`);
    assert.equal(scoringUrl("https://app.azurewebsites.net/"), "https://app.azurewebsites.net/score");
    assert.equal(scoringUrl("https://ep.westeurope.inference.ml.azure.com/score"), "https://ep.westeurope.inference.ml.azure.com/score");
    assert.throws(() => scoringUrl("ftp://x"), /http\(s\)/);
    assert.throws(() => scoringUrl("not a url?key=secret"), (err: unknown) => err instanceof Error && !err.message.includes("secret"));
    const outcome = await run(createScoringTarget({ name: "webapp:ticket-app", url: scoringUrl(webApp.url), auth: { kind: "none" } }), ticket);
    assert.equal(outcome.status, "Completed");
    assert.equal(webApp.requests.at(-1)!.headers.authorization, undefined);
  });

  it("passes when the answer is HTTP 200 with every declared output", async () => {
    const result = await smokeTest({ name: "webapp:ticket-app", url: scoringUrl(webApp.url), auth: { kind: "none" }, retry: fast }, ticket, flowOutputs);
    assert.deepEqual(result, { target: "webapp:ticket-app", ok: true, status: 200, missingOutputs: [] });
    assert.equal(smokeGateResult(result).passed, true);
  });

  it("fails when a declared output of the flow is missing from the answer", async () => {
    const result = await smokeTest({ name: "ticket-ep:blue", url: endpoint.scoringUrl, auth: { kind: "key", key: endpointKey }, deployment: "blue", retry: fast }, ticket, [...flowOutputs, "escalation_note"]);
    assert.equal(result.ok, false);
    assert.equal(result.status, 200);
    assert.deepEqual(result.missingOutputs, ["escalation_note"]);
    assert.match(result.error!, /lacks declared flow outputs: escalation_note/);
    const gate = smokeGateResult(result);
    assert.equal(gate.passed, false);
    assert.equal(gate.kind, "smoke");
  });

  it("fails on HTTP 500 that persists through retries", async () => {
    endpoint.fail({ kind: "status", status: 500 }, { kind: "status", status: 500 });
    const result = await smokeTest({ name: "ticket-ep:blue", url: endpoint.scoringUrl, auth: { kind: "key", key: endpointKey }, retry: fast }, ticket, flowOutputs);
    assert.equal(result.ok, false);
    assert.equal(result.status, 500);
    assert.match(result.error!, /HTTP 500 \(2 attempts\)/);
    assert.ok(!JSON.stringify(result).includes(endpointKey));
  });

  it("fails on a success status other than 200", async () => {
    endpoint.fail({ kind: "status", status: 202, body: { category: "billing", confidence: 1, priority: "P3", sla_hours: 24 } });
    const result = await smokeTest({ name: "ep", url: endpoint.scoringUrl, auth: { kind: "key", key: endpointKey }, retry: fast }, ticket, flowOutputs);
    assert.deepEqual(result, { target: "ep", ok: false, status: 202, missingOutputs: [], error: "ep: expected HTTP 200, got 202" });
  });

  it("fails on a wrong key (401) and on a body that is not JSON", async () => {
    const denied = await smokeTest({ name: "ep", url: endpoint.scoringUrl, auth: { kind: "key", key: "nope" }, retry: fast }, ticket, flowOutputs);
    assert.equal(denied.ok, false);
    assert.equal(denied.status, 401);
    endpoint.fail({ kind: "malformed" });
    const malformed = await smokeTest({ name: "ep", url: endpoint.scoringUrl, auth: { kind: "key", key: endpointKey }, retry: fast }, ticket, flowOutputs);
    assert.equal(malformed.ok, false);
    assert.equal(malformed.status, 200);
    assert.match(malformed.error!, /not valid JSON/);
  });

  it("answers the Web App health probe", async () => {
    const response = await fetch(`${webApp.url}/health`);
    assert.equal(response.status, 200);
  });
});
