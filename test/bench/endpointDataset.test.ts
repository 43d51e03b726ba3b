import assert from "node:assert/strict";
import { classifyTicket } from "../support/fakeScoringServer";
import { expectedPasses, promptfooTestLine, ticketRow } from "./endpointDataset";

describe("endpoint benchmark dataset", () => {
  it("expectedPasses counts exactly the rows the endpoint's classifier gets right", () => {
    let passes = 0;
    for (let i = 0; i < 12_000; i++) {
      const row = ticketRow(i);
      if (classifyTicket({ ticket_text: row.ticket_text }).category === row.expected_category) passes++;
      // Every prefix, so partial cycles and ids like 502/503 (an "outage" to the classifier) are covered.
      if (i % 997 === 0 || i < 20) assert.equal(expectedPasses(i + 1), passes, `first ${i + 1} rows`);
    }
    assert.equal(expectedPasses(12_000), passes);
    assert.ok(passes < 12_000, "some rows must fail, so pass counts are a real cross-check");
  });

  it("promptfoo tests carry the same input and ground truth as our dataset row", () => {
    const row = ticketRow(13);
    const test = JSON.parse(promptfooTestLine(row)) as { vars: Record<string, unknown>; assert: { type: string; value: unknown }[] };
    assert.deepEqual(test.vars, { ticket_text: row.ticket_text });
    assert.deepEqual(test.assert, [{ type: "equals", value: row.expected_category }]);
  });

  it("rows differ from each other (no two identical requests)", () => {
    const texts = new Set(Array.from({ length: 100 }, (_, i) => ticketRow(i).ticket_text));
    assert.equal(texts.size, 100);
  });
});
