/**
 * Every folder in flows/ must stay a valid Azure ML prompt flow: the same folder is registered and served after
 * deployment. These checks follow the required shapes of the published flow.dag.yaml schema and the runtime's
 * rules (own checks, not the schema file), plus this project's rule that tools use only the standard library.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "yaml";
import { loadFlow } from "../../src/flow/loadFlow";

const flowsDir = path.resolve(__dirname, "../../flows");
const flowNames = fs.readdirSync(flowsDir).filter((name) => fs.existsSync(path.join(flowsDir, name, "flow.dag.yaml")));

type Doc = Record<string, unknown>;

function isRecord(value: unknown): value is Doc {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function record(value: unknown, what: string): Doc {
  assert.ok(isRecord(value), `${what} must be a mapping`);
  return value;
}

function readDag(name: string): Doc {
  return record(yaml.parse(fs.readFileSync(path.join(flowsDir, name, "flow.dag.yaml"), "utf8")), `${name}/flow.dag.yaml`);
}

const topLevelKeys = ["$schema", "additional_includes", "description", "display_name", "environment", "environment_variables", "inputs", "language", "node_variants", "nodes", "outputs", "tags", "type"];
const inputTypes = ["string", "int", "double", "bool", "list", "object", "chat_history"];
const nodeTypes = ["llm", "prompt", "python"];
const referencePattern = /\$\{([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_.]*)\}/g;
const roleLine = /^\s*#?\s*(system|user|assistant|function|tool)\s*:\s*$/i;

/** Each node body as it would run: plain nodes, and every variant of a `use_variants` node. */
function nodeBodies(dag: Doc): { label: string; body: Doc }[] {
  const bodies: { label: string; body: Doc }[] = [];
  const variants = isRecord(dag.node_variants) ? dag.node_variants : {};
  for (const raw of dag.nodes as unknown[]) {
    const node = record(raw, "node");
    if (node.use_variants === true) {
      const entry = record(variants[String(node.name)], `node_variants.${String(node.name)}`);
      const choices = record(entry.variants, `node_variants.${String(node.name)}.variants`);
      for (const [id, variant] of Object.entries(choices)) bodies.push({ label: `${String(node.name)}.${id}`, body: record(record(variant, id).node, `${id}.node`) });
    } else bodies.push({ label: String(node.name), body: node });
  }
  return bodies;
}

let standardLibrary: Set<string> | undefined;

function pythonStandardLibrary(): Set<string> {
  if (standardLibrary) return standardLibrary;
  const output = execFileSync("python3", ["-c", "import sys, json; print(json.dumps(sorted(sys.stdlib_module_names)))"], { encoding: "utf8" });
  standardLibrary = new Set(JSON.parse(output) as string[]);
  return standardLibrary;
}

function importedModules(source: string): string[] {
  const modules: string[] = [];
  for (const line of source.split("\n")) {
    const plain = /^\s*import\s+(.+)$/.exec(line);
    if (plain) for (const part of plain[1]!.split(",")) modules.push(part.trim().split(/\s+/)[0]!.split(".")[0]!);
    const from = /^\s*from\s+([A-Za-z_][A-Za-z0-9_.]*)\s+import\b/.exec(line);
    if (from) modules.push(from[1]!.split(".")[0]!);
  }
  return modules;
}

it("flows/ holds the three sample flows", () => {
  assert.deepEqual(flowNames.sort(), ["support_ticket_classifier", "ticket_classification_eval", "ticket_production_eval"]);
});

for (const name of flowNames) {
  describe(`flow ${name}`, () => {
    const dir = path.join(flowsDir, name);
    const dag = readDag(name);

    it("uses only the keys and types of the published flow.dag.yaml schema", () => {
      for (const key of Object.keys(dag)) assert.ok(topLevelKeys.includes(key), `unknown top-level key ${key}`);
      if (dag.type !== undefined) assert.ok(["standard", "evaluation", "chat"].includes(String(dag.type)));
      for (const [input, spec] of Object.entries(record(dag.inputs, "inputs"))) {
        assert.ok(inputTypes.includes(String(record(spec, input).type)), `input ${input} has type ${String(record(spec, input).type)}`);
      }
      for (const [output, spec] of Object.entries(record(dag.outputs, "outputs"))) {
        const body = record(spec, output);
        assert.ok(inputTypes.includes(String(body.type)), `output ${output} type`);
        assert.match(String(body.reference), /^\$\{[^}]+\}$/, `output ${output} reference`);
      }
      assert.ok(Array.isArray(dag.nodes) && dag.nodes.length > 0);
    });

    it("has nodes with known types, existing source files and resolvable references", () => {
      const nodeNames = (dag.nodes as Doc[]).map((node) => String(node.name));
      assert.equal(new Set(nodeNames).size, nodeNames.length, "node names are unique");
      const inputs = Object.keys(record(dag.inputs, "inputs"));
      const references: string[] = [JSON.stringify(dag.outputs)];
      for (const { label, body } of nodeBodies(dag)) {
        assert.ok(nodeTypes.includes(String(body.type)), `${label}: type ${String(body.type)}`);
        const source = record(body.source, `${label}.source`);
        assert.equal(source.type, "code", `${label}: source type`);
        assert.ok(fs.statSync(path.join(dir, String(source.path))).isFile(), `${label}: ${String(source.path)} exists`);
        if (body.type === "llm") {
          assert.equal(typeof body.connection, "string", `${label}: connection`);
          assert.ok(["chat", "completion"].includes(String(body.api)), `${label}: api`);
        }
        references.push(JSON.stringify(body.inputs ?? {}), JSON.stringify(body.activate ?? {}));
      }
      for (const text of references) {
        for (const match of text.matchAll(referencePattern)) {
          if (match[1] === "inputs") assert.ok(inputs.includes(match[2]!), `unknown input ${match[0]}`);
          else {
            assert.ok(nodeNames.includes(match[1]!), `unknown node ${match[0]}`);
            assert.ok(match[2] === "output" || match[2]!.startsWith("output."), `reference ${match[0]}`);
          }
        }
      }
    });

    it("declares requirements.txt, which lists nothing: the tools use only the standard library", () => {
      const environment = record(dag.environment, "environment");
      assert.equal(environment.python_requirements_txt, "requirements.txt");
      const lines = fs.readFileSync(path.join(dir, "requirements.txt"), "utf8").split("\n").map((line) => line.trim());
      assert.deepEqual(lines.filter((line) => line !== "" && !line.startsWith("#")), []);
    });

    it("has Python tools importing only the standard library and promptflow, each with one @tool", () => {
      const stdlib = pythonStandardLibrary();
      const files = fs.readdirSync(dir).filter((file) => file.endsWith(".py"));
      assert.ok(files.length > 0);
      for (const file of files) {
        const source = fs.readFileSync(path.join(dir, file), "utf8");
        for (const module of importedModules(source)) {
          assert.ok(module === "promptflow" || stdlib.has(module), `${file} imports ${module}, which is not in the standard library`);
        }
        assert.match(source, /^from promptflow(\.core)? import .*\btool\b/m, `${file} imports tool from promptflow`);
        assert.equal(source.match(/^@tool\b/gm)?.length, 1, `${file} has one @tool function`);
      }
    });

    it("has chat templates that start with a role line and have system and user messages", () => {
      for (const { label, body } of nodeBodies(dag)) {
        if (body.type !== "llm" || body.api !== "chat") continue;
        const template = fs.readFileSync(path.join(dir, String(record(body.source, label).path)), "utf8");
        const firstLine = template.split("\n").find((line) => line.trim() !== "");
        assert.match(firstLine ?? "", roleLine, `${label}: the template must start with a role line`);
        const roles = new Set(template.split("\n").flatMap((line) => roleLine.exec(line)?.[1]?.toLowerCase() ?? []));
        assert.ok(roles.has("system") && roles.has("user"), `${label}: needs system and user messages`);
      }
    });

    it("is accepted by the flow engine", () => {
      const flow = loadFlow(dir);
      assert.ok(flow);
    });
  });
}

describe("flow support_ticket_classifier specifics", () => {
  const dag = readDag("support_ticket_classifier");

  it("has typed inputs, customer_tier with a default", () => {
    const inputs = record(dag.inputs, "inputs");
    assert.equal(record(inputs.ticket_text, "ticket_text").type, "string");
    assert.equal(record(inputs.customer_tier, "customer_tier").default, "standard");
  });

  it("classifies with at least two prompt variants differing in template and temperature", () => {
    const classify = (dag.nodes as Doc[]).find((node) => node.name === "classify");
    assert.equal(classify?.use_variants, true);
    const entry = record(record(dag.node_variants, "node_variants").classify, "classify");
    const variants = Object.values(record(entry.variants, "variants")).map((variant) => record(record(variant, "variant").node, "node"));
    assert.ok(variants.length >= 2);
    assert.ok(Object.keys(record(entry.variants, "variants")).includes(String(entry.default_variant_id)));
    for (const node of variants) {
      const inputs = record(node.inputs, "inputs");
      assert.equal(node.connection, "aoai");
      assert.equal(inputs.deployment_name, "gpt-4o-mini");
      // Real flows write LLM parameters as strings; the engine coerces them.
      assert.equal(typeof inputs.temperature, "string");
      assert.equal(typeof inputs.max_tokens, "string");
    }
    assert.equal(new Set(variants.map((node) => record(node.source, "source").path)).size, variants.length);
    assert.equal(new Set(variants.map((node) => record(node.inputs, "inputs").temperature)).size, variants.length);
  });

  it("escalates only outage tickets (activate) and has prompt and python nodes", () => {
    const nodes = dag.nodes as Doc[];
    const escalate = nodes.find((node) => node.activate !== undefined);
    assert.deepEqual(escalate?.activate, { when: "${parse_classification.output.category}", is: "outage" });
    assert.ok(nodes.some((node) => node.type === "prompt"));
    assert.ok(nodes.filter((node) => node.type === "python").length >= 3);
  });

  it("outputs category, confidence, priority and reply", () => {
    for (const output of ["category", "confidence", "priority", "reply"]) assert.ok(output in record(dag.outputs, "outputs"));
  });
});

describe("evaluation flows", () => {
  for (const name of ["ticket_classification_eval", "ticket_production_eval"]) {
    it(`${name} is an evaluation flow with one aggregation node`, () => {
      const dag = readDag(name);
      assert.equal(dag.type, "evaluation");
      const aggregation = (dag.nodes as Doc[]).filter((node) => node.aggregation === true);
      assert.equal(aggregation.length, 1);
      const source = fs.readFileSync(path.join(flowsDir, name, String(record(aggregation[0]!.source, "source").path)), "utf8");
      assert.match(source, /^from promptflow import log_metric$/m);
    });
  }
});
