/**
 * experiment.yaml read the way the genaiops template's loader (llmops/common/experiment.py) reads it: what it
 * accepts we accept with the same meaning, what it refuses we refuse with a ConfigError naming file and path.
 * Fixtures are our own, written in the template's shapes.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadExperiment } from "../../../src/config/experiment";
import { ConfigError } from "../../../src/core/userError";

const dag = (input: string, output: string): string =>
  `inputs:\n  ${input}:\n    type: string\noutputs:\n  ${output}:\n    type: string\n    reference: \${echo.output}\n` +
  `nodes:\n- name: echo\n  type: python\n  source:\n    type: code\n    path: echo.py\n  inputs:\n    value: \${inputs.${input}}\n`;

const base = `name: exp
flow: flows/exp_flow
runtime: runtime_name
connections:
- name: aoai
  connection_type: AzureOpenAIConnection
  api_base: https://example.openai.azure.com/
  api_version: 2023-07-01-preview
  api_key: \${api_key}
  api_type: azure
datasets:
- name: ds1
  source: ds1.jsonl
  description: first
  mappings:
    question: "\${data.q}"
- name: ds2
  source: ds2.jsonl
  mappings:
evaluators:
- name: eval1
  datasets:
  - name: ds1
    mappings:
      answer: "\${run.outputs.answer}"
  - name: ds3
    source: ds3.jsonl
    reference: ds2
    mappings:
`;

describe("experiment.yaml as the template's loader reads it", () => {
  let dir: string;
  const environment = { api_key: "k-123" };
  const file = (): string => path.join(dir, "experiment.yaml");
  const write = (relative: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    fs.writeFileSync(path.join(dir, relative), text);
  };
  const load = (env?: string) => loadExperiment(file(), { ...(env !== undefined ? { env } : {}), environmentVariables: environment });
  const refused = (env: string | undefined, jsonPath: string, expected: RegExp, inFile = "experiment.yaml"): void => {
    assert.throws(
      () => load(env),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.equal(err.file, path.join(dir, inFile));
        assert.equal(err.jsonPath, jsonPath);
        assert.match(err.expected, expected);
        return true;
      },
    );
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-template-loader-"));
    write("flows/exp_flow/flow.dag.yaml", dag("question", "answer"));
    write("flows/exp_flow/echo.py", "from promptflow import tool\n\n@tool\ndef echo(value: str) -> str:\n    return value\n");
    // The template resolves an evaluator's folder as <experiment folder>/<flow or name>.
    write("eval1/flow.dag.yaml", dag("answer", "score"));
    write("eval1/echo.py", "from promptflow import tool\n\n@tool\ndef echo(value: str) -> str:\n    return value\n");
    write("ds1.jsonl", '{"q": "a"}\n');
    write("data/ds2.jsonl", '{"question": "b"}\n');
    write("data/ds3.jsonl", '{"answer": "c"}\n');
    write("dsx.jsonl", '{"q": "x"}\n');
    write("experiment.yaml", base);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("treats an empty overlay file as no change", () => {
    write("experiment.dev.yaml", "");
    const experiment = load("dev");
    assert.deepEqual(experiment.datasets.map((d) => d.name), ["ds1", "ds2"]);
    assert.deepEqual(experiment.evaluators.map((e) => e.name), ["eval1"]);
  });

  it("reads evaluators: and datasets: left empty in an overlay as empty lists", () => {
    write("experiment.pr.yaml", "evaluators:\ndatasets:\n");
    const experiment = load("pr");
    assert.deepEqual(experiment.datasets, []);
    assert.deepEqual(experiment.evaluators, []);
  });

  it("accepts runtime: (and runtime: left empty) as the template's runtime name", () => {
    write("experiment.dev.yaml", "runtime:\n");
    assert.doesNotThrow(() => load("dev"));
  });

  it("reads mappings: left empty as no mappings (inputs from same-named columns)", () => {
    const experiment = load();
    assert.deepEqual(experiment.datasets[1].mappings, {});
    assert.deepEqual(experiment.evaluators[0].datasets[1].mappings, {});
  });

  it("keeps the base evaluators, resolved against the base datasets, when an overlay replaces only the datasets", () => {
    write("experiment.dev.yaml", "datasets:\n- name: dsx\n  source: dsx.jsonl\n  mappings:\n    question: \"${data.q}\"\n");
    const experiment = load("dev");
    assert.deepEqual(experiment.datasets.map((d) => d.name), ["dsx"]);
    // The pairings still name ds1/ds2, so they pair with no run of dsx, as in the template.
    assert.deepEqual(experiment.evaluators[0].datasets.map((d) => [d.name, d.reference]), [["ds1", "ds1"], ["ds3", "ds2"]]);
  });

  it("resolves an overlay's evaluators against the base datasets when the overlay keeps them", () => {
    write("experiment.dev.yaml", "evaluators:\n- name: eval1\n  datasets:\n  - name: ds2\n    mappings:\n      answer: \"${run.outputs.answer}\"\n");
    const experiment = load("dev");
    assert.deepEqual(experiment.evaluators[0].datasets.map((d) => [d.name, d.source]), [["ds2", path.join(dir, "data", "ds2.jsonl")]]);
  });

  it("runs an evaluator without flow: from the folder named like the evaluator", () => {
    const evaluator = load().evaluators[0];
    assert.equal(evaluator.kind, "flow");
    assert.equal(evaluator.kind === "flow" ? evaluator.flow : "", path.join(dir, "eval1"));
  });

  it("finds a dataset source under data/ when it is not beside the experiment", () => {
    assert.equal(load().datasets[1].source, path.join(dir, "data", "ds2.jsonl"));
  });

  it("reads azureml:<name>:<version> as a registered data asset, cached beside the experiment", () => {
    write("experiment.yaml", base.replace("source: ds1.jsonl", "source: azureml:reviews:3"));
    const dataset = load().datasets[0];
    assert.deepEqual(dataset.asset, { name: "reviews", version: "3" });
    assert.equal(dataset.source, path.join(dir, ".llmops", "data-assets", "reviews", "3", "reviews.jsonl"));
  });

  it("keeps any connection keys and reads connection types in any letter case", () => {
    write("experiment.yaml", base.replace("connection_type: AzureOpenAIConnection", "connection_type: azureopenaiconnection\n  resource_id: /subscriptions/x"));
    const experiment = load();
    assert.equal(experiment.connections.aoai?.type, "azure_open_ai");
    assert.equal(experiment.connectionSpecs[0].resource_id, "/subscriptions/x");
  });

  it("ignores a mapping key that is not a flow input when every required input is mapped, as prompt flow does", () => {
    write("experiment.yaml", base.replace('    question: "${data.q}"\n', '    question: "${data.q}"\n    math_question: "${data.q}"\n'));
    assert.deepEqual(load().datasets[0].mappings, { question: "${data.q}" });
  });

  it("refuses a mapping key that is not a flow input while a required input is unmapped (a likely typo)", () => {
    write("experiment.yaml", base.replace('    question: "${data.q}"\n', '    questoin: "${data.q}"\n'));
    refused(undefined, "$.datasets[0].mappings.questoin", /input of exp_flow/);
  });

  it("applies prompt flow's <NAME>_<FIELD> overrides to a connection with a fixed api_base, file unedited", () => {
    const experiment = loadExperiment(file(), { environmentVariables: { ...environment, AOAI_API_BASE: "http://127.0.0.1:9/" } });
    assert.equal(experiment.connections.aoai?.type === "azure_open_ai" ? experiment.connections.aoai.apiBase : "", "http://127.0.0.1:9/");
  });

  it("refuses a dataset without mappings:", () => {
    write("experiment.yaml", base.replace("  source: ds2.jsonl\n  mappings:\n", "  source: ds2.jsonl\n"));
    refused(undefined, "$.datasets[1].mappings", /required/);
  });

  it("refuses an experiment without datasets", () => {
    write("experiment.yaml", base.replace(/datasets:\n- name: ds1[\s\S]*?(?=evaluators:)/, "datasets:\n"));
    refused(undefined, "$.datasets", /at least one dataset/);
  });

  it("refuses source: on an evaluator dataset that names an experiment dataset", () => {
    write("experiment.yaml", base.replace("  - name: ds1\n    mappings:", "  - name: ds1\n    source: other.jsonl\n    mappings:"));
    refused(undefined, "$.evaluators[0].datasets[0].source", /no source on "ds1"/);
  });

  it("refuses reference: on an evaluator dataset that names an experiment dataset", () => {
    write("experiment.yaml", base.replace("  - name: ds1\n    mappings:", "  - name: ds1\n    reference: ds2\n    mappings:"));
    refused(undefined, "$.evaluators[0].datasets[0].reference", /no reference on "ds1"/);
  });

  it("refuses a new evaluator dataset without reference:", () => {
    write("experiment.yaml", base.replace("    reference: ds2\n", ""));
    refused(undefined, "$.evaluators[0].datasets[1].reference", /experiment dataset whose run "ds3" evaluates/);
  });

  it("refuses an evaluator without datasets:", () => {
    write("experiment.dev.yaml", "evaluators:\n- name: eval1\n");
    refused("dev", "$.evaluators[0].datasets", /list of evaluation datasets/, "experiment.dev.yaml");
  });
});
