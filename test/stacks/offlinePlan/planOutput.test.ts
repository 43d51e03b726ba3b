/**
 * `llmops plan` output a reviewer can trust: it fits the terminal (or 120 columns in a CI log) without cutting a
 * name in the middle, and values the offline mocks made up (principal IDs, image digests) say so.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { formatPlanReport } from "../../../src/stacks/offlinePlan/formatPlan";
import { runOfflinePlan } from "../../../src/stacks/offlinePlan/runOfflinePlan";
import type { OfflinePlanReport, RecordedResource } from "../../../src/stacks/offlinePlan/types";

const projectRoot = path.resolve(__dirname, "../../..");

function resource(type: string, name: string, inputs: Record<string, unknown>): RecordedResource {
  return { type, name, inputs, options: { dependsOn: [], ignoreChanges: [], retainOnDelete: false }, custom: true };
}

describe("llmops plan output", function () {
  this.timeout(120_000);
  let prod: OfflinePlanReport;
  before(async () => {
    prod = await runOfflinePlan({ stack: "prod", projectRoot, environment: process.env });
  });

  for (const width of [80, 120, 200]) {
    it(`fits ${width} columns and shows every resource name whole`, () => {
      const text = formatPlanReport(prod, width);
      const widest = Math.max(...text.split("\n").map((line) => line.length));
      assert.ok(widest <= width, `a line of ${widest} columns at width ${width}`);
      const flat = text.replace(/\n\s*/g, "");
      for (const r of prod.resources) assert.ok(flat.includes(r.name), `${r.name} shown whole`);
    });
  }

  it("labels mock principal IDs and image digests, and explains the label", () => {
    assert.ok((prod.mockValues ?? []).length > 0, "the report lists the made-up values");
    const text = formatPlanReport(prod, 120);
    assert.match(text, /\(mock\)/);
    assert.match(text, /\(mock\) = a value the offline plan made up/);
    const digest = (prod.mockValues ?? []).find((value) => value.startsWith("sha256:"));
    assert.ok(digest !== undefined, "the image digest is a mock value");
    const flat = text.replace(/\n\s*/g, "");
    let at = flat.indexOf(digest);
    assert.ok(at >= 0, "the digest is shown");
    while (at >= 0) {
      assert.ok(flat.slice(at + digest.length, at + digest.length + 40).includes("(mock)"), flat.slice(at - 40, at + digest.length + 40));
      at = flat.indexOf(digest, at + 1);
    }
  });

  it("wraps a 200-character name instead of cutting it, and escapes control characters", () => {
    const long = `endpoint-${"x".repeat(190)}-end`;
    const text = formatPlanReport(
      {
        stack: "dev",
        resources: [resource("azure-native:machinelearningservices:OnlineEndpoint", long, { endpointName: "e\u001b[31mred" })],
        outputs: {},
        notices: [],
      },
      80,
    );
    assert.ok(text.split("\n").every((line) => line.length <= 80));
    assert.ok(text.replace(/\n\s*/g, "").includes(long), text);
    assert.ok(!text.includes("\u001b"), "no raw escape reaches the terminal");
  });
});
