import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { createFlowExecutor, type FlowExecutor } from "../../src/flow/executor";
import { loadFlow } from "../../src/flow/loadFlow";
import { createPythonPool, type PythonPool } from "../../src/flow/pythonPool";
import { resolveVariants, variantLabelText } from "../../src/flow/variants";
import { AOAI, FakeLlm, lineContext } from "./support";

/** The sample flows in flows/ (written by another part of the project) must load, validate and run here. */
const FLOWS_DIR = path.resolve(__dirname, "../../flows");
const DATA_DIR = path.join(FLOWS_DIR, "data");

function flowDirs(): string[] {
  if (!fs.existsSync(FLOWS_DIR)) return [];
  return fs
    .readdirSync(FLOWS_DIR)
    .map((name) => path.join(FLOWS_DIR, name))
    .filter((dir) => fs.existsSync(path.join(dir, "flow.dag.yaml")));
}

function rows(file: string, limit: number): Record<string, unknown>[] {
  return fs
    .readFileSync(path.join(DATA_DIR, file), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .slice(0, limit)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A deterministic stand-in for the model: outage words → outage, else billing, as JSON like the prompt asks. */
function classifierLlm(): FakeLlm {
  return new FakeLlm((request) => {
    const users = request.api === "chat" ? request.messages.filter((m) => m.role === "user") : [];
    const ticket = (users.length > 0 ? users[users.length - 1].content : "").toLowerCase();
    const category = /down|outage|unavailable|503/.test(ticket) ? "outage" : "billing";
    return JSON.stringify({ category, confidence: 0.9 });
  });
}

describe("flow/sample flows in flows/", function () {
  this.timeout(60000);
  let python: PythonPool;
  const executors: FlowExecutor[] = [];
  before(function () {
    if (flowDirs().length === 0) this.skip();
    python = createPythonPool({ size: 2, environment: process.env });
  });
  after(async () => {
    for (const e of executors) await e.close?.();
    await python?.close();
  });

  it("every flow folder loads and validates, with every variant", () => {
    for (const dir of flowDirs()) {
      const flow = loadFlow(dir);
      assert.ok(flow.nodes.length > 0, dir);
      assert.ok(resolveVariants(flow, "product").length >= 1, dir);
    }
  });

  it("support_ticket_classifier runs each variant end to end with an outage escalation only for outages", async () => {
    const dir = path.join(FLOWS_DIR, "support_ticket_classifier");
    const runs = resolveVariants(loadFlow(dir), "all");
    assert.ok(runs.length >= 2, "the classifier has at least two prompt variants");
    const outage = { ticket_text: "The dashboard is down for all our users since 9am, error 503 everywhere.", customer_tier: "enterprise" };
    const billing = { ticket_text: "I was charged twice for October, please refund one charge.", customer_tier: "standard" };
    for (const run of runs) {
      const llm = classifierLlm();
      const exec = createFlowExecutor({ environment: process.env, flow: run.flow, connections: { aoai: AOAI }, llm, python });
      executors.push(exec);
      const label = variantLabelText(run.label);
      const down = await exec.runLine(outage, lineContext(0));
      assert.equal(down.status, "Completed", `${label}: ${JSON.stringify(down.error)}`);
      assert.equal(down.outputs.category, "outage", label);
      assert.notEqual(down.outputs.escalation, null, `${label}: outage escalates`);
      const bill = await exec.runLine(billing, lineContext(1));
      assert.equal(bill.status, "Completed", `${label}: ${JSON.stringify(bill.error)}`);
      assert.equal(bill.outputs.category, "billing");
      assert.equal(bill.outputs.escalation, null, `${label}: escalation bypassed -> null`);
      assert.equal(typeof bill.outputs.reply, "string");
      assert.ok(bill.usage.totalTokens > 0);
      const request = llm.requests[0];
      assert.equal(request.model, "gpt-4o-mini");
      assert.equal(typeof request.parameters.temperature, "number");
      assert.equal(typeof request.parameters.max_tokens, "number");
      assert.ok(request.api === "chat" && request.messages.some((m) => m.role === "system"), label);
      for (const row of rows("bulk.jsonl", 8)) {
        const outcome = await exec.runLine(row, lineContext(2));
        assert.equal(outcome.status, "Completed", `${label} ${String(row.id)}: ${JSON.stringify(outcome.error)}`);
      }
    }
  });

  it("ticket_classification_eval scores lines and aggregates metrics", async () => {
    const flow = loadFlow(path.join(FLOWS_DIR, "ticket_classification_eval"));
    const exec = createFlowExecutor({ environment: process.env, flow, connections: {}, llm: new FakeLlm(), python });
    executors.push(exec);
    const lines = [];
    for (const [i, row] of rows("eval.jsonl", 20).entries()) {
      const inputs = { category: row.category, ground_truth: row.category, confidence: 0.9 };
      const outcome = await exec.runLine(inputs, lineContext(i));
      assert.equal(outcome.status, "Completed", JSON.stringify(outcome.error));
      lines.push({ lineNumber: i, inputs, aggregationInputs: outcome.aggregationInputs });
    }
    const result = await exec.aggregate(lines);
    assert.equal(result.error, undefined);
    assert.equal(result.metrics.accuracy, 1);
  });

  it("ticket_production_eval aggregates production metrics from the log", async () => {
    const flow = loadFlow(path.join(FLOWS_DIR, "ticket_production_eval"));
    const exec = createFlowExecutor({ environment: process.env, flow, connections: {}, llm: new FakeLlm(), python });
    executors.push(exec);
    const lines = [];
    for (const [i, row] of rows("production_log.jsonl", 40).entries()) {
      const outcome = await exec.runLine(row, lineContext(i));
      assert.equal(outcome.status, "Completed", JSON.stringify(outcome.error));
      lines.push({ lineNumber: i, inputs: row, aggregationInputs: outcome.aggregationInputs });
    }
    const result = await exec.aggregate(lines);
    assert.equal(result.error, undefined);
    assert.ok(Object.keys(result.metrics).length > 0);
  });
});
