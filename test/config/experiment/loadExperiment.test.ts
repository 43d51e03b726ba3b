import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "yaml";
import { createBuiltinEvaluator } from "../../../src/evaluation/evaluators/builtin";
import { builtinEvaluatorNames, builtinEvaluators, builtinMetricDirection } from "../../../src/config/experiment/builtinEvaluators";
import { loadExperiment } from "../../../src/config/experiment";
import { ConfigError, UserError } from "../../../src/core/userError";
import { createExperimentFixture, flowsDir, list, sampleExperiment, type ExperimentFixture } from "./experimentFixture";

const secret = "sk-test-0123456789abcdef-DO-NOT-PRINT";
const environment = { AOAI_API_BASE: "https://contoso-aoai.openai.azure.com", AOAI_API_KEY: secret };

function configError(run: () => unknown, where: { file?: string; path: string; expected?: RegExp }): ConfigError {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  assert.equal(caught.jsonPath, where.path, caught.message);
  if (where.file) assert.equal(caught.file, where.file);
  if (where.expected) assert.match(caught.expected, where.expected);
  return caught;
}

describe("loadExperiment: the sample flows/experiment.yaml", () => {
  it("loads with absolute paths, normalised evaluators and a resolved connection", () => {
    const experiment = loadExperiment(path.join(flowsDir, "experiment.yaml"), { environmentVariables: environment });
    assert.equal(experiment.name, "support_ticket_classifier");
    assert.equal(experiment.flow, path.join(flowsDir, "support_ticket_classifier"));
    assert.deepEqual(
      experiment.datasets.map((d) => [d.name, d.source]),
      [
        ["ticket_bulk", path.join(flowsDir, "data/bulk.jsonl")],
        ["ticket_eval", path.join(flowsDir, "data/eval.jsonl")],
      ],
    );
    const [flowEvaluator, exact] = experiment.evaluators;
    assert.equal(flowEvaluator?.kind, "flow");
    assert.equal(flowEvaluator?.kind === "flow" && flowEvaluator.flow, path.join(flowsDir, "ticket_classification_eval"));
    assert.deepEqual(flowEvaluator?.datasets[0]?.mappings, {
      category: "${run.outputs.category}",
      confidence: "${run.outputs.confidence}",
      ground_truth: "${data.category}",
    });
    assert.equal(exact?.kind === "builtin" && exact.builtin, "exact_match");
    assert.equal(exact?.datasets[0]?.reference, "ticket_eval");
    assert.deepEqual(experiment.connections.aoai, {
      type: "azure_open_ai",
      name: "aoai",
      apiBase: "https://contoso-aoai.openai.azure.com",
      apiVersion: "2024-10-21",
      authMode: "key",
      apiKey: secret,
    });
    assert.equal(experiment.production?.name, "ticket_production_eval");
    assert.equal(experiment.production?.source, path.join(flowsDir, "data/production_log.jsonl"));
    assert.deepEqual(experiment.regression, { max_drop: 0.05, metrics: ["ticket_classification_eval.accuracy", "ticket_classification_eval.macro_f1"] });
    assert.ok(experiment.gates.includes("p95_latency_ms <= 3000"));
  });

  it("keeps connection specs as references, so they can be logged without the secret", () => {
    const experiment = loadExperiment(path.join(flowsDir, "experiment.yaml"), { environmentVariables: environment });
    const logged = JSON.stringify(experiment.connectionSpecs);
    assert.ok(!logged.includes(secret));
    assert.ok(logged.includes("${AOAI_API_KEY}"));
  });

  it("dev overlay replaces the gates block and keeps everything else", () => {
    const base = loadExperiment(path.join(flowsDir, "experiment.yaml"), { environmentVariables: environment });
    const dev = loadExperiment(path.join(flowsDir, "experiment.yaml"), { env: "dev", environmentVariables: environment });
    assert.equal(dev.overlayFile, path.join(flowsDir, "experiment.dev.yaml"));
    assert.equal(dev.env, "dev");
    assert.deepEqual(dev.gates, ["ticket_classification_eval.accuracy >= 0.7", "error_rate <= 0.05", "p95_latency_ms <= 5000"]);
    assert.deepEqual(dev.datasets, base.datasets);
    assert.deepEqual(dev.regression, base.regression);
  });

  it("prod overlay switches to Entra ID, so no API key variable is needed", () => {
    const prod = loadExperiment(path.join(flowsDir, "experiment.yaml"), {
      env: "prod",
      environmentVariables: { AOAI_API_BASE: "https://contoso-aoai.openai.azure.com" },
    });
    assert.equal(prod.connections.aoai?.type === "azure_open_ai" && prod.connections.aoai.authMode, "meid_token");
    assert.equal(prod.connections.aoai?.type === "azure_open_ai" && prod.connections.aoai.apiKey, undefined);
  });

  it("lists the same builtin evaluators in the registry, the evaluation module and the schema", () => {
    // Every registered builtin has an implementation; an unregistered name is refused with the registry's list.
    const params: Record<string, Record<string, unknown>> = { regex: { pattern: "x" }, contains: { value: "x" } };
    for (const name of builtinEvaluatorNames.filter((n) => !builtinEvaluators[n].needsConnection)) {
      assert.equal(createBuiltinEvaluator({ name: "e", builtin: name, params: params[name] ?? {}, mappings: { prediction: "${run.outputs.x}", reference: "${data.y}" } }).name, "e");
    }
    assert.throws(() => createBuiltinEvaluator({ name: "e", builtin: "bleu" }), /expected one of exact_match, f1, regex, contains, json_valid, llm_judge/);
    assert.deepEqual(builtinEvaluatorNames.filter((n) => builtinEvaluators[n].needsConnection), ["llm_judge"]);
    assert.equal(builtinMetricDirection("llm_judge", "judge_tokens"), "lower-is-better");
    assert.equal(builtinMetricDirection("exact_match", "exact_match"), "higher-is-better");
    assert.equal(builtinMetricDirection("exact_match", "scored_lines"), "neutral");
    const schema = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../../config/schema/experiment.schema.json"), "utf8")) as {
      definitions: { evaluator: { properties: { builtin: { enum: string[] } } } };
    };
    assert.deepEqual(schema.definitions.evaluator.properties.builtin.enum, [...builtinEvaluatorNames]);
  });
});

describe("loadExperiment: overlays and files", () => {
  let fixture: ExperimentFixture;
  beforeEach(() => {
    fixture = createExperimentFixture();
  });
  afterEach(() => fixture.remove());

  it("reads a dataset outside the use-case folder only inside the working directory it is given", () => {
    // <project>/use_cases/uc/experiment.yaml naming ../../data/shared.jsonl; the process runs elsewhere (this repository).
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-project-"));
    try {
      const useCase = path.join(project, "use_cases", "uc");
      fs.cpSync(fixture.dir, useCase, { recursive: true });
      fs.mkdirSync(path.join(project, "data"));
      fs.copyFileSync(path.join(fixture.dir, "data", "bulk.jsonl"), path.join(project, "data", "shared.jsonl"));
      const file = path.join(useCase, "experiment.yaml");
      const doc = sampleExperiment();
      list(doc, "datasets")[0].source = "../../data/shared.jsonl";
      fs.writeFileSync(file, yaml.stringify(doc));
      const loaded = loadExperiment(file, { environmentVariables: environment, workingDirectory: project });
      assert.equal(loaded.datasets[0]?.source, path.join(project, "data", "shared.jsonl"));
      configError(() => loadExperiment(file, { environmentVariables: environment, workingDirectory: useCase }), {
        path: "$.datasets[0].source",
        expected: /inside the use-case folder or the project/,
      });
      configError(() => loadExperiment(file, { environmentVariables: environment }), { path: "$.datasets[0].source" });
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });

  it("uses the base file alone for an environment the use case's deployment config names but no overlay changes", () => {
    const file = fixture.write();
    fs.mkdirSync(path.join(fixture.dir, "configs"));
    fs.writeFileSync(path.join(fixture.dir, "configs", "deployment_config.json"), JSON.stringify({ azure_managed_endpoint: [{ ENV_NAME: "staging" }] }));
    const experiment = loadExperiment(file, { env: "staging", environmentVariables: environment, envTyped: true });
    assert.equal(experiment.overlayFile, undefined);
    assert.equal(experiment.env, "staging");
  });

  it("refuses an environment nobody knows instead of running the base experiment, listing the known ones", () => {
    const file = fixture.write();
    fs.writeFileSync(path.join(fixture.dir, "experiment.dev.yaml"), "");
    fs.writeFileSync(path.join(fixture.dir, "experiment.prod.yml"), "");
    assert.throws(
      () => loadExperiment(file, { env: "staging", environmentVariables: environment, envTyped: true }),
      (err: unknown) => err instanceof UserError && /--env staging: .* knows no environment 'staging' \(known environments: dev, prod\)/.test(err.message),
    );
    // Named by a stack (the plan, post-deployment evaluation), the environment exists by definition.
    assert.equal(loadExperiment(file, { env: "staging", environmentVariables: environment }).overlayFile, undefined);
  });

  it("carries a connection's requests/tokens-per-minute quota to the LLM invoker", () => {
    const file = fixture.write((doc) => {
      const [aoai] = list(doc, "connections");
      Object.assign(aoai, { requests_per_minute: 300, tokens_per_minute: 60000 });
    });
    const experiment = loadExperiment(file, { environmentVariables: environment });
    const aoai = experiment.connections.aoai;
    assert.deepEqual(aoai?.type === "azure_open_ai" && aoai.rateLimits, { requestsPerMinute: 300, tokensPerMinute: 60000 });
  });

  it("refuses a quota that is not a positive whole number", () => {
    const file = fixture.write((doc) => {
      const [aoai] = list(doc, "connections");
      Object.assign(aoai, { tokens_per_minute: 0 });
    });
    configError(() => loadExperiment(file, { environmentVariables: environment }), { path: "$.connections[0].tokens_per_minute" });
  });

  it("refuses an environment name that could escape the folder", () => {
    assert.throws(() => loadExperiment(fixture.write(), { env: "../prod", environmentVariables: environment }), UserError);
  });

  it("names a missing experiment file", () => {
    assert.throws(() => loadExperiment(path.join(fixture.dir, "nope.yaml"), { environmentVariables: environment }), /nope\.yaml: experiment file not found/);
  });

  it("reports invalid YAML with the file", () => {
    fs.writeFileSync(fixture.file, "name: [unclosed\n");
    configError(() => loadExperiment(fixture.file, { environmentVariables: environment }), { file: fixture.file, path: "$", expected: /valid YAML/ });
  });

  it("attributes an error in an overlaid block to the overlay file", () => {
    fixture.write();
    const overlay = fixture.writeOverlay("dev", { gates: ["accuracy >= 0.8", "accuracy is great"] });
    configError(() => loadExperiment(fixture.file, { env: "dev", environmentVariables: environment }), { file: overlay, path: "$.gates[1]", expected: /a gate like/ });
  });

  it("refuses an overlay that is not a mapping", () => {
    fixture.write();
    const overlay = fixture.writeOverlay("dev", "- gates\n");
    configError(() => loadExperiment(fixture.file, { env: "dev", environmentVariables: environment }), { file: overlay, path: "$" });
  });
});

describe("loadExperiment: schema and semantic errors", () => {
  let fixture: ExperimentFixture;
  beforeEach(() => {
    fixture = createExperimentFixture();
  });
  afterEach(() => fixture.remove());

  const load = (): unknown => loadExperiment(fixture.file, { environmentVariables: environment });

  it("suggests the key a typo meant", () => {
    fixture.write((doc) => {
      doc.evaluator = doc.evaluators;
      delete doc.evaluators;
    });
    configError(load, { path: "$.evaluator", expected: /did you mean "evaluators"/ });
  });

  it("requires datasets", () => {
    fixture.write((doc) => delete doc.datasets);
    configError(load, { path: "$.datasets", expected: /required/ });
  });

  it("refuses a dataset whose file does not exist", () => {
    fixture.write((doc) => (list(doc, "datasets")[1].source = "data/missing.jsonl"));
    configError(load, { path: "$.datasets[1].source", expected: /JSONL file/ });
  });

  it("refuses a flow folder that does not exist", () => {
    fixture.write((doc) => (doc.flow = "no_such_flow"));
    configError(load, { path: "$.flow", expected: /flow folder/ });
  });

  it("refuses duplicate dataset names", () => {
    fixture.write((doc) => (list(doc, "datasets")[1].name = "ticket_bulk"));
    configError(load, { path: "$.datasets[1].name", expected: /unique/ });
  });

  it("refuses a mapping to an input the flow does not have", () => {
    fixture.write((doc) => (list(doc, "datasets")[0].mappings = { ticket: "${data.ticket_text}" }));
    configError(load, { path: "$.datasets[0].mappings.ticket", expected: /input of support_ticket_classifier \(one of ticket_text, customer_tier\)/ });
  });

  it("refuses a malformed reference instead of passing it on as a literal", () => {
    fixture.write((doc) => (list(doc, "datasets")[0].mappings = { ticket_text: "${dta.ticket_text}" }));
    configError(load, { path: "$.datasets[0].mappings.ticket_text", expected: /\$\{data\.<column>\}/ });
  });

  it("refuses ${run.outputs...} in a dataset the flow itself runs on", () => {
    fixture.write((doc) => (list(doc, "datasets")[0].mappings = { ticket_text: "${run.outputs.reply}" }));
    configError(load, { path: "$.datasets[0].mappings.ticket_text" });
  });

  it("refuses an evaluator mapping to an output the flow does not produce", () => {
    fixture.write((doc) => {
      const evaluator = list(doc, "evaluators")[0];
      (evaluator.datasets as Record<string, unknown>[])[0].mappings = { category: "${run.outputs.label}", ground_truth: "${data.category}" };
    });
    configError(load, { path: "$.evaluators[0].datasets[0].mappings.category", expected: /output of the evaluated flow \(one of category, confidence/ });
  });

  it("refuses an evaluator with both flow and builtin, or neither", () => {
    fixture.write((doc) => (list(doc, "evaluators")[1].flow = "ticket_classification_eval"));
    configError(load, { path: "$.evaluators[1]", expected: /either flow or builtin/ });
    fixture.write((doc) => delete list(doc, "evaluators")[1].builtin);
    // Neither: the template's default, a flow folder named like the evaluator (none here).
    configError(load, { path: "$.evaluators[1].name", expected: /flow folder/ });
  });

  it("refuses an unknown builtin evaluator", () => {
    fixture.write((doc) => (list(doc, "evaluators")[1].builtin = "bleu"));
    configError(load, { path: "$.evaluators[1].builtin", expected: /exact_match/ });
  });

  it("reserves the evaluator name 'run' for run metrics", () => {
    fixture.write((doc) => (list(doc, "evaluators")[1].name = "run"));
    configError(load, { path: "$.evaluators[1].name", expected: /reserved/ });
  });

  it("refuses an evaluator dataset that is neither an experiment dataset nor has a source", () => {
    fixture.write((doc) => ((list(doc, "evaluators")[1].datasets as Record<string, unknown>[])[0].name = "golden"));
    configError(load, { path: "$.evaluators[1].datasets[0].name", expected: /one of ticket_bulk, ticket_eval/ });
  });

  it("accepts an evaluator dataset with its own source that references a run dataset", () => {
    fixture.write((doc) => {
      const dataset = (list(doc, "evaluators")[1].datasets as Record<string, unknown>[])[0];
      dataset.name = "golden";
      dataset.source = "data/eval.jsonl";
      dataset.reference = "ticket_eval";
    });
    const experiment = loadExperiment(fixture.file, { environmentVariables: environment });
    assert.deepEqual(experiment.evaluators[1]?.datasets[0]?.reference, "ticket_eval");
    assert.equal(experiment.evaluators[1]?.datasets[0]?.source, path.join(fixture.dir, "data/eval.jsonl"));
  });

  it("refuses a reference to a dataset the flow does not run on", () => {
    fixture.write((doc) => {
      const dataset = (list(doc, "evaluators")[1].datasets as Record<string, unknown>[])[0];
      Object.assign(dataset, { name: "golden", source: "data/eval.jsonl", reference: "ticket_test" });
    });
    configError(load, { path: "$.evaluators[1].datasets[0].reference", expected: /dataset the flow runs on/ });
  });

  it("uses evaluator-level mappings for every experiment dataset when datasets are left out", () => {
    fixture.write((doc) => {
      const evaluator = list(doc, "evaluators")[2];
      delete evaluator.datasets;
      evaluator.mappings = { prediction: "${run.outputs.reply}" };
    });
    const experiment = loadExperiment(fixture.file, { environmentVariables: environment });
    const regex = experiment.evaluators[2];
    assert.deepEqual(regex.datasets.map((d) => [d.name, d.reference, d.mappings.prediction]), [
      ["ticket_bulk", "ticket_bulk", "${run.outputs.reply}"],
      ["ticket_eval", "ticket_eval", "${run.outputs.reply}"],
    ]);
  });

  it("requires mappings for an evaluator dataset", () => {
    fixture.write((doc) => delete (list(doc, "evaluators")[2].datasets as Record<string, unknown>[])[0].mappings);
    configError(load, { path: "$.evaluators[2].datasets[0].mappings", expected: /mappings/ });
  });

  it("refuses params on a flow evaluator", () => {
    fixture.write((doc) => (list(doc, "evaluators")[0].params = { threshold: 1 }));
    configError(load, { path: "$.evaluators[0].params" });
  });

  for (const gate of ["accuracy", "accuracy >= high", "accuracy => 0.8", ">= 0.8", "accuracy >= 0.8 and f1 >= 0.5"]) {
    it(`refuses the gate "${gate}"`, () => {
      fixture.write((doc) => (doc.gates = [gate]));
      configError(load, { path: "$.gates[0]", expected: /a gate like/ });
    });
  }

  it("refuses a gate naming an evaluator the experiment does not have", () => {
    fixture.write((doc) => (doc.gates = ["ticket_eval_flow.accuracy >= 0.8"]));
    configError(load, { path: "$.gates[0]", expected: /evaluator of this experiment.*one of ticket_classification_eval, category_match, reply_cites_reference, run/ });
  });

  it("refuses a gate naming an unknown dataset", () => {
    fixture.write((doc) => (doc.gates = ["ticket_test/category_match.exact_match >= 0.8"]));
    configError(load, { path: "$.gates[0]", expected: /dataset of this experiment/ });
  });

  it("accepts dataset-qualified, evaluator-qualified and run gates", () => {
    fixture.write((doc) => (doc.gates = ["ticket_eval/category_match.exact_match >= 0.8", "run.error_rate < 0.1", "tokens <= 1e6"]));
    assert.equal(loadExperiment(fixture.file, { environmentVariables: environment }).gates.length, 3);
  });

  it("checks regression metrics like gates and needs max_drop", () => {
    fixture.write((doc) => (doc.regression = { max_drop: 0.05, metrics: ["nope.accuracy"] }));
    configError(load, { path: "$.regression.metrics[0]", expected: /evaluator of this experiment/ });
    fixture.write((doc) => (doc.regression = { metrics: ["accuracy"] }));
    configError(load, { path: "$.regression.max_drop", expected: /required/ });
    fixture.write((doc) => (doc.regression = { max_drop: -1 }));
    configError(load, { path: "$.regression.max_drop", expected: /tolerated drop/ });
  });

  it("refuses ${run.*} in production mappings: the log row holds inputs and outputs", () => {
    fixture.write((doc) => ((doc.production as Record<string, unknown>).mappings = { category: "${run.outputs.category}" }));
    configError(load, { path: "$.production.mappings.category" });
  });

  it("checks production gates against the production flow's name", () => {
    fixture.write((doc) => ((doc.production as Record<string, unknown>).gates = ["ticket_classification_eval.accuracy >= 0.8"]));
    configError(load, { path: "$.production.gates[0]", expected: /one of ticket_production_eval, run/ });
  });

  it("requires a connection for every LLM node of the flow", () => {
    fixture.write((doc) => (list(doc, "connections")[0].name = "openai"));
    configError(load, { path: "$.connections", expected: /"aoai" \(node classify\.zero_shot of support_ticket_classifier/ });
  });
});

describe("loadExperiment: secrets", () => {
  let fixture: ExperimentFixture;
  beforeEach(() => {
    fixture = createExperimentFixture();
  });
  afterEach(() => fixture.remove());

  function failure(run: () => unknown): Error {
    try {
      run();
    } catch (err) {
      assert.ok(err instanceof UserError, String(err));
      return err;
    }
    assert.fail("expected an error");
  }

  it("names a missing environment variable", () => {
    fixture.write();
    const err = failure(() => loadExperiment(fixture.file, { environmentVariables: { AOAI_API_BASE: "https://x.openai.azure.com" } }));
    assert.match(err.message, /AOAI_API_KEY/);
    assert.match(err.message, /not set/);
  });

  it("refuses a literal key in the file without printing it", () => {
    fixture.write((doc) => (list(doc, "connections")[0].api_key = secret));
    const err = failure(() => loadExperiment(fixture.file, { environmentVariables: environment }));
    assert.ok(err instanceof ConfigError);
    assert.equal(err.jsonPath.endsWith("api_key"), true);
    assert.match(err.message, /environment variable/);
    assert.ok(!err.message.includes(secret));
    assert.ok(!JSON.stringify({ ...err }).includes(secret));
  });

  it("refuses a literal key of another type without printing it", () => {
    fixture.write((doc) => (list(doc, "connections")[0].api_key = 123456789012));
    const err = failure(() => loadExperiment(fixture.file, { environmentVariables: environment }));
    assert.ok(!err.message.includes("123456789012"));
  });

  it("refuses literal custom-connection secrets without printing them", () => {
    fixture.write((doc) =>
      list(doc, "connections").push({ name: "search", connection_type: "CustomConnection", configs: { endpoint: "https://search.example.com" }, secrets: { key: secret } }),
    );
    const err = failure(() => loadExperiment(fixture.file, { environmentVariables: environment }));
    assert.ok(!err.message.includes(secret));
    fixture.write((doc) => list(doc, "connections").push({ name: "search", connection_type: "CustomConnection", secrets: secret }));
    assert.ok(!failure(() => loadExperiment(fixture.file, { environmentVariables: environment })).message.includes(secret));
  });

  it("never puts a variable's value in an error", () => {
    fixture.write((doc) => (list(doc, "connections")[0].auth_mode = "token"));
    const err = failure(() => loadExperiment(fixture.file, { environmentVariables: environment }));
    assert.ok(!err.message.includes(secret));
  });

  it("with resolveSecrets: false needs no variables but still refuses literal secrets", () => {
    fixture.write();
    const experiment = loadExperiment(fixture.file, { environmentVariables: {}, resolveSecrets: false });
    assert.deepEqual(experiment.connections, {});
    assert.equal(experiment.connectionSpecs.length, 1);
    fixture.write((doc) => (list(doc, "connections")[0].api_key = secret));
    const err = failure(() => loadExperiment(fixture.file, { environmentVariables: {}, resolveSecrets: false }));
    assert.ok(!err.message.includes(secret));
  });
});
