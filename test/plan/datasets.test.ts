/**
 * The data assets a stack registers, planned from what the loader found (no files needed): the rules of
 * llmops:datasets and of the experiment's datasets, each mistake one line naming the stack file and entry.
 */
import { strict as assert } from "node:assert";
import { buildDatasetPlans, experimentDatasetPlans } from "../../src/plan/datasets";
import { configError } from "./fixtures";

const sha = (digit: string): string => digit.repeat(64);
const file = (p: string, digit: string) => ({ path: p, sha256: sha(digit) });

describe("plan: data assets from the files found", () => {
  it("registers each matched file under its name, versioned by its content hash", () => {
    const plans = buildDatasetPlans(undefined, [[file("/p/flows/data/bulk.jsonl", "a"), file("/p/flows/data/eval.jsonl", "b")]], "Pulumi.dev.yaml");
    assert.deepEqual(
      plans.map((p) => [p.name, p.version, p.datastorePath]),
      [
        ["bulk", sha("a").slice(0, 12), `LocalUpload/${sha("a")}/bulk.jsonl`],
        ["eval", sha("b").slice(0, 12), `LocalUpload/${sha("b")}/eval.jsonl`],
      ],
    );
  });

  it("lets the default pattern match nothing, but not an entry the stack file names", () => {
    assert.deepEqual(buildDatasetPlans(undefined, [[]], "Pulumi.dev.yaml"), []);
    const err = configError(() => buildDatasetPlans([{ path: "flows/data/nope.jsonl" }], [[]], "Pulumi.dev.yaml"));
    assert.equal(err.message, 'Pulumi.dev.yaml: $.config["llmops:datasets"][0]: expected an existing data file (relative to the project root), found "flows/data/nope.jsonl" (no such file)');
  });

  it("refuses an entry outside the project, a name for several files, and two files giving one name", () => {
    assert.match(configError(() => buildDatasetPlans([{ path: "../secrets/*.jsonl" }], ["outside"], "Pulumi.dev.yaml")).message, /\[0\]: expected a data file inside the project .*"\.\.\/secrets\/\*\.jsonl" \(outside the project\)$/);
    const two = [file("/p/a/x.jsonl", "1"), file("/p/a/y.jsonl", "2")];
    assert.match(configError(() => buildDatasetPlans([{ path: "a/*.jsonl", name: "rows" }], [two], "Pulumi.dev.yaml")).message, /a single file when a dataset name is given, found 2 files for "a\/\*\.jsonl"$/);
    const sameName = configError(() =>
      buildDatasetPlans([{ path: "a/x.jsonl" }, { path: "b/x.jsonl" }], [[file("/p/a/x.jsonl", "1")], [file("/p/b/x.jsonl", "2")]], "Pulumi.dev.yaml"),
    );
    assert.match(sameName.message, /\[1\]: expected dataset names that differ \(both files give "x"\), found "\/p\/a\/x\.jsonl" and "\/p\/b\/x\.jsonl"$/);
  });

  it("names the experiment file when an experiment dataset's name is no Azure ML asset name", () => {
    const plans = experimentDatasetPlans("review/experiment.yaml", [{ name: "reviews", description: "rows", file: file("/p/review/data/reviews.jsonl", "c") }]);
    assert.deepEqual(plans.map((p) => [p.name, p.description, p.sha256]), [["reviews", "rows", sha("c")]]);
    const err = configError(() => experimentDatasetPlans("review/experiment.yaml", [{ name: "bad name", file: file("/p/x.jsonl", "d") }]));
    assert.equal(err.file, "review/experiment.yaml");
    assert.equal(err.jsonPath, "$.datasets");
  });
});

