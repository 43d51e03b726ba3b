/** The sample datasets: enough varied rows, the columns the experiment maps, labels from the fixed category set. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "yaml";

const dataDir = path.resolve(__dirname, "../../flows/data");
const categories = ["billing", "technical", "account", "shipping", "outage", "other"];
const tiers = ["free", "standard", "premium", "enterprise"];

function rows(file: string): Record<string, unknown>[] {
  return fs
    .readFileSync(path.join(dataDir, file), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, index) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`${file} line ${index + 1} is not JSON`);
      }
    });
}

function classifierInputs(): string[] {
  const dag = yaml.parse(fs.readFileSync(path.resolve(dataDir, "../support_ticket_classifier/flow.dag.yaml"), "utf8")) as { inputs: Record<string, unknown> };
  return Object.keys(dag.inputs);
}

describe("sample datasets", () => {
  it("bulk.jsonl: at least 40 distinct tickets with an id and the flow's inputs", () => {
    const bulk = rows("bulk.jsonl");
    assert.ok(bulk.length >= 40);
    assert.equal(new Set(bulk.map((row) => row.id)).size, bulk.length, "ids are unique");
    assert.equal(new Set(bulk.map((row) => row.ticket_text)).size, bulk.length, "tickets are distinct");
    for (const row of bulk) {
      assert.equal(typeof row.ticket_text, "string");
      assert.ok(tiers.includes(String(row.customer_tier)));
      assert.equal(row.category, undefined, "bulk data carries no labels");
    }
  });

  it("eval.jsonl: at least 40 labelled tickets covering every category", () => {
    const labelled = rows("eval.jsonl");
    assert.ok(labelled.length >= 40);
    for (const row of labelled) assert.ok(categories.includes(String(row.category)), `unknown label ${String(row.category)}`);
    for (const category of categories) {
      assert.ok(labelled.filter((row) => row.category === category).length >= 5, `at least 5 ${category} tickets`);
    }
  });

  it("production_log.jsonl: at least 40 logged requests with inputs and outputs, some needing attention", () => {
    const log = rows("production_log.jsonl");
    assert.ok(log.length >= 40);
    for (const row of log) {
      for (const column of ["correlation_id", "timestamp", "ticket_text", "customer_tier", "category", "confidence", "priority", "reply"]) {
        assert.ok(column in row, `${column} is logged`);
      }
      assert.match(String(row.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    assert.ok(log.filter((row) => Number(row.confidence) < 0.5).length >= 3, "a few low-confidence rows");
    assert.ok(log.some((row) => row.category === "other"));
    assert.ok(log.some((row) => !categories.includes(String(row.category))), "an invalid category for the checks to find");
  });

  it("sample-request.json is exactly the flow's inputs", () => {
    const request = JSON.parse(fs.readFileSync(path.join(dataDir, "sample-request.json"), "utf8")) as Record<string, unknown>;
    assert.deepEqual(Object.keys(request).sort(), classifierInputs().sort());
  });
});
