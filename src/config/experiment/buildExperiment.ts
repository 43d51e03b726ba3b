/**
 * The semantic rules of an experiment, checked after the schema: names unique, files and flow folders present,
 * mappings naming real flow inputs and outputs, evaluator datasets pointing at datasets the flow runs on, gates
 * naming known evaluators. Pure apart from the injected file probes, so every rule is testable on plain data.
 */
import * as path from "node:path";
import { describeFound } from "../jsonPath";
import { resolveInside } from "../projectPaths";
import type { ConnectionSpec } from "../../llm/connections";
import type { BuiltinEvaluatorName } from "./builtinEvaluators";
import { ConfigError } from "../../core/userError";
import { inputNames, modelConfigurationConnection, outputNames, type FlowInterface } from "../../flow/flowFolder";
import { isMalformedReference, parseMappingExpression, type MappingExpression } from "./mappingExpression";
import type {
  EvaluatorDataset,
  Experiment,
  ExperimentDataset,
  ExperimentEvaluator,
  Mappings,
  ProductionEvaluation,
  RegressionPolicy,
} from "./types";

type RawMappings = Record<string, string | number | boolean>;

interface RawEvaluatorDataset {
  name: string;
  reference?: string;
  source?: string;
  description?: string;
  mappings?: RawMappings;
}

/** experiment.yaml after schema validation (config/schema/experiment.schema.json guarantees this shape). */
export interface ExperimentDocument {
  name: string;
  flow?: string;
  runtime?: string;
  connections?: ConnectionSpec[];
  datasets: { name: string; source: string; description?: string; mappings?: RawMappings }[];
  evaluators?: {
    name: string;
    flow?: string;
    builtin?: BuiltinEvaluatorName;
    params?: Record<string, unknown>;
    mappings?: RawMappings;
    datasets?: RawEvaluatorDataset[];
  }[];
  gates?: string[];
  regression?: RegressionPolicy;
  production?: { flow: string; source?: string; mappings?: RawMappings; gates?: string[] };
  init?: Record<string, unknown>;
}

/** `azureml:<name>:<version>`: a data asset registered in the workspace (the template's remote dataset source). */
const assetReference = /^azureml:([A-Za-z0-9][A-Za-z0-9._-]{0,254}):([A-Za-z0-9][A-Za-z0-9._-]{0,63})$/;

export interface ExperimentProbes {
  isFile: (absolutePath: string) => boolean;
  isDirectory: (absolutePath: string) => boolean;
  flowInterface: (dir: string, referencedFrom: string) => FlowInterface;
  /** Whether a folder holds a flow definition (flow.dag.*, flow.flex.* or one .prompty). */
  isFlow: (absolutePath: string) => boolean;
}

export interface BuildContext {
  /** Absolute path of experiment.yaml; relative paths resolve against its folder. */
  file: string;
  /** The command's folder: paths may leave the experiment's folder but not this one (see LoadExperimentOptions). */
  workingDirectory: string | undefined;
  env?: string;
  overlayFile?: string;
  /** The file a top-level key came from (experiment.yaml or the overlay). */
  fileOf: (key: string) => string;
  /**
   * experiment.yaml's own datasets when an overlay replaced them but not the evaluators: the template resolves
   * the base evaluators against the base datasets, so their pairings keep naming the old datasets (and simply
   * pair with no run of the overlay's datasets).
   */
  baseDatasets?: ExperimentDocument["datasets"];
}

/**
 * Where a dataset's `source` lives, the way the template resolves it: `azureml:<name>:<version>` is a registered
 * data asset; otherwise the path relative to the experiment's folder, or failing that `data/<source>` there.
 * Returns undefined for a local file that exists in neither place.
 */
export function resolveDatasetSource(
  source: string,
  directory: string,
  isFile: (absolutePath: string) => boolean,
): { kind: "asset"; name: string; version: string } | { kind: "file"; path: string } | undefined {
  const asset = assetReference.exec(source);
  if (asset) return { kind: "asset", name: asset[1], version: asset[2] };
  const direct = path.resolve(directory, source);
  if (isFile(direct)) return { kind: "file", path: direct };
  const underData = path.resolve(directory, "data", source);
  return isFile(underData) ? { kind: "file", path: underData } : undefined;
}

/** Where a downloaded data asset is cached, beside the experiment (`.llmops/` is a by-product folder). */
export function assetCachePath(directory: string, name: string, version: string): string {
  return path.join(directory, ".llmops", "data-assets", name, version, `${name}.jsonl`);
}

/** Operational metrics (error_rate, p95_latency_ms, tokens) are reported under this evaluator name. */
export const runMetricsEvaluator = "run";

interface MappingRules {
  file: string;
  path: string;
  allowed: readonly MappingExpression["kind"][];
  /** Input names the mapping keys must be among (a flow's inputs); undefined = any key (builtins). */
  targetInputs?: { names: string[]; flow: string; required: string[] };
  evaluatedFlow: FlowInterface;
}

function targetInputsOf(flow: FlowInterface, name: string): NonNullable<MappingRules["targetInputs"]> {
  return { names: inputNames(flow), flow: name, required: flow.inputs.filter((input) => input.required).map((input) => input.name) };
}

const expressionWords: Record<MappingExpression["kind"], string> = {
  data: "${data.<column>}",
  "run.outputs": "${run.outputs.<output>}",
  "run.inputs": "${run.inputs.<input>}",
  literal: "a literal",
};

function checkMappings(raw: RawMappings | undefined, rules: MappingRules): Mappings {
  const mappings: Mappings = {};
  for (const [key, rawValue] of Object.entries(raw ?? {})) {
    const at = `${rules.path}.${key}`;
    if (rules.targetInputs && !rules.targetInputs.names.includes(key)) {
      // Prompt flow passes only the flow's inputs on: with every required input mapped, an extra key is ignored.
      const mapped = Object.keys(raw ?? {});
      if (rules.targetInputs.required.every((input) => mapped.includes(input))) continue;
      throw new ConfigError(rules.file, at, `an input of ${rules.targetInputs.flow} (one of ${rules.targetInputs.names.join(", ")})`, `"${key}"`);
    }
    const value = String(rawValue);
    const allowedWords = rules.allowed.map((kind) => expressionWords[kind]).join(" or ");
    if (isMalformedReference(value)) throw new ConfigError(rules.file, at, allowedWords, describeFound(value));
    const expression = parseMappingExpression(value);
    if (!rules.allowed.includes(expression.kind)) throw new ConfigError(rules.file, at, allowedWords, describeFound(value));
    if (expression.kind === "run.outputs" || expression.kind === "run.inputs") {
      const names = expression.kind === "run.outputs" ? outputNames(rules.evaluatedFlow) : inputNames(rules.evaluatedFlow);
      const top = expression.column.split(".")[0];
      // A flex flow without declared outputs returns what its code returns: nothing to check before it runs.
      const checkable = expression.kind === "run.inputs" || rules.evaluatedFlow.outputsDeclared;
      if (checkable && !names.includes(top)) {
        const what = expression.kind === "run.outputs" ? "an output" : "an input";
        throw new ConfigError(rules.file, at, `${what} of the evaluated flow (one of ${names.join(", ")})`, describeFound(value));
      }
    }
    mappings[key] = value;
  }
  return mappings;
}

const metricPart = /^\s*(?:([A-Za-z0-9_][A-Za-z0-9_-]*)\/)?([A-Za-z0-9_][A-Za-z0-9_.-]*)/;

/** Checks the dataset and evaluator a metric reference (`dataset/evaluator.metric`) names, when it names them. */
function checkMetricReference(
  text: string,
  at: { file: string; path: string },
  known: { evaluators: string[]; datasets?: string[] },
): void {
  const match = metricPart.exec(text);
  if (!match) return; // the schema's pattern already refused it
  const dataset = match[1];
  const metric = match[2];
  const dot = metric.indexOf(".");
  const evaluator = dot >= 0 ? metric.slice(0, dot) : undefined;
  if (dataset !== undefined && known.datasets && !known.datasets.includes(dataset)) {
    throw new ConfigError(at.file, at.path, `a dataset of this experiment before "/" (one of ${known.datasets.join(", ")})`, describeFound(text));
  }
  if (evaluator !== undefined && !known.evaluators.includes(evaluator)) {
    throw new ConfigError(
      at.file,
      at.path,
      `an evaluator of this experiment before "." (one of ${known.evaluators.join(", ")}); an unqualified metric name matches any evaluator`,
      describeFound(text),
    );
  }
}

/**
 * A path of the experiment, resolved inside its use-case folder (the experiment file's folder) or inside the
 * project the command runs in (its working directory, given by the caller), or refused: `../../etc/hostname` is
 * read by nobody.
 */
function insideUseCase(directory: string, workingDirectory: string | undefined, relative: string, file: string, at: string, what: string): string {
  const absolute =
    resolveInside(directory, relative) ?? (workingDirectory === undefined ? undefined : resolveInside(workingDirectory, path.resolve(directory, relative)));
  if (absolute === undefined) {
    throw new ConfigError(file, at, `${what} inside the use-case folder or the project (relative to the experiment file)`, `${describeFound(relative)} (outside both)`);
  }
  return absolute;
}

export function buildExperiment(document: ExperimentDocument, context: BuildContext, probes: ExperimentProbes): Omit<Experiment, "connections"> {
  const directory = path.dirname(context.file);
  const fileOf = context.fileOf;

  const dataSource = (relative: string, key: string, at: string): { source: string; asset?: { name: string; version: string } } => {
    if (relative.startsWith("azureml:") && !assetReference.test(relative)) {
      throw new ConfigError(fileOf(key), at, "azureml:<data asset name>:<version>", describeFound(relative));
    }
    if (!relative.startsWith("azureml:")) insideUseCase(directory, context.workingDirectory, relative, fileOf(key), at, "a JSONL file");
    const resolved = resolveDatasetSource(relative, directory, probes.isFile);
    if (resolved === undefined) {
      throw new ConfigError(
        fileOf(key),
        at,
        "a JSONL file relative to the experiment file (or under its data/ folder), or azureml:<name>:<version>",
        `${describeFound(relative)} (neither ${path.resolve(directory, relative)} nor ${path.resolve(directory, "data", relative)} exists)`,
      );
    }
    if (resolved.kind === "file") return { source: resolved.path };
    return { source: assetCachePath(directory, resolved.name, resolved.version), asset: { name: resolved.name, version: resolved.version } };
  };
  const flowFolder = (relative: string, key: string, at: string): { dir: string; flow: FlowInterface } => {
    const dir = insideUseCase(directory, context.workingDirectory, relative, fileOf(key), at, "a flow folder");
    if (!probes.isDirectory(dir) && !probes.isFile(dir)) {
      throw new ConfigError(fileOf(key), at, "a flow folder (or .prompty file) relative to the experiment file", `${describeFound(relative)} (${dir} does not exist)`);
    }
    return { dir, flow: probes.flowInterface(dir, `${fileOf(key)}: ${at}`) };
  };

  const standard = flowFolder(document.flow ?? document.name, document.flow === undefined ? "name" : "flow", document.flow === undefined ? "$.name" : "$.flow");
  const flowName = path.basename(standard.dir);

  const connectionSpecs = document.connections ?? [];
  const declared = new Set(connectionSpecs.map((spec) => String(spec.name)));
  for (const [connection, node] of Object.entries(standard.flow.connections)) {
    if (!declared.has(connection)) {
      throw new ConfigError(fileOf("connections"), "$.connections", `a connection named "${connection}" (node ${node} of ${flowName} uses it)`, declared.size ? `only ${[...declared].join(", ")}` : "none");
    }
  }

  const readDatasets = (raws: ExperimentDocument["datasets"], key: string, file: string): ExperimentDataset[] => {
    const result: ExperimentDataset[] = [];
    raws.forEach((raw, index) => {
      const at = `$.datasets[${index}]`;
      if (result.some((d) => d.name === raw.name)) throw new ConfigError(file, `${at}.name`, "a unique dataset name", `"${raw.name}" again`);
      const dataset: ExperimentDataset = {
        name: raw.name,
        ...dataSource(raw.source, key, `${at}.source`),
        mappings: checkMappings(raw.mappings, {
          file,
          path: `${at}.mappings`,
          allowed: ["data", "literal"],
          targetInputs: targetInputsOf(standard.flow, flowName),
          evaluatedFlow: standard.flow,
        }),
      };
      if (raw.description !== undefined) dataset.description = raw.description;
      result.push(dataset);
    });
    return result;
  };
  const datasets = readDatasets(document.datasets, "datasets", fileOf("datasets"));
  // The datasets the evaluators are resolved against (see BuildContext.baseDatasets).
  const evaluatorDatasetsBase = context.baseDatasets !== undefined ? readDatasets(context.baseDatasets, "evaluators", context.file) : datasets;
  const datasetNames = evaluatorDatasetsBase.map((d) => d.name);

  const evaluators: ExperimentEvaluator[] = [];
  const skippedEvaluators: { name: string; reason: string }[] = [];
  (document.evaluators ?? []).forEach((raw, index) => {
    const at = `$.evaluators[${index}]`;
    const file = fileOf("evaluators");
    if (raw.name === runMetricsEvaluator) throw new ConfigError(file, `${at}.name`, `a name other than "${runMetricsEvaluator}" (reserved for run metrics such as error_rate)`, `"${raw.name}"`);
    if (evaluators.some((e) => e.name === raw.name)) throw new ConfigError(file, `${at}.name`, "a unique evaluator name", `"${raw.name}" again`);
    if (raw.flow !== undefined && raw.builtin !== undefined) throw new ConfigError(file, at, "either flow or builtin", "both");
    if (raw.flow !== undefined && raw.params !== undefined) throw new ConfigError(file, `${at}.params`, "params only on builtin evaluators (a flow's settings are its inputs)", "params");
    // A flow evaluator in the template's shape names its datasets; only builtins (ours) default to every dataset.
    if (raw.builtin === undefined && raw.datasets === undefined) {
      throw new ConfigError(file, `${at}.datasets`, "a list of evaluation datasets (the template requires datasets: on every evaluator)", "nothing");
    }

    // The template's default: an evaluator without flow: runs the flow folder named like the evaluator.
    if (raw.builtin === undefined) {
      const dir = path.resolve(directory, raw.flow ?? raw.name);
      if (probes.isDirectory(dir) && !probes.isFlow(dir)) {
        const where = raw.flow !== undefined ? `${at}.flow` : `${at}.name`;
        skippedEvaluators.push({ name: raw.name, reason: `${fileOf("evaluators")}: ${where}: ${dir} holds no flow.dag.yaml, flow.flex.yaml or .prompty (not a flow); skipped as the template does` });
        return;
      }
    }
    const evaluationFlow = raw.builtin === undefined ? flowFolder(raw.flow ?? raw.name, "evaluators", raw.flow !== undefined ? `${at}.flow` : `${at}.name`) : undefined;
    const rawDatasets: RawEvaluatorDataset[] = raw.datasets ?? datasetNames.map((name) => ({ name }));
    const evaluatorDatasets: EvaluatorDataset[] = rawDatasets.map((rawDataset, datasetIndex) => {
      const datasetAt = raw.datasets ? `${at}.datasets[${datasetIndex}]` : `${at}.datasets`;
      const named = evaluatorDatasetsBase.find((d) => d.name === rawDataset.name);
      let source: Pick<ExperimentDataset, "source" | "asset">;
      if (named) {
        // The template: a dataset of the experiment is used as it is; a new one needs both source and reference.
        const extra = (["source", "reference"] as const).filter((key) => rawDataset[key] !== undefined);
        if (extra.length > 0) {
          throw new ConfigError(file, `${datasetAt}.${extra[0]}`, `no ${extra.join(" or ")} on "${rawDataset.name}", a dataset of this experiment (name a new dataset to give them)`, describeFound(rawDataset[extra[0]]));
        }
        source = named.asset !== undefined ? { source: named.source, asset: named.asset } : { source: named.source };
      } else if (rawDataset.source !== undefined) {
        if (rawDataset.reference === undefined) {
          throw new ConfigError(file, `${datasetAt}.reference`, `the experiment dataset whose run "${rawDataset.name}" evaluates (one of ${datasetNames.join(", ")})`, "nothing");
        }
        source = dataSource(rawDataset.source, "evaluators", `${datasetAt}.source`);
      } else throw new ConfigError(file, `${datasetAt}.name`, `a dataset of this experiment (one of ${datasetNames.join(", ")}) or a source file`, `"${rawDataset.name}"`);
      const reference = rawDataset.reference ?? rawDataset.name;
      if (!datasetNames.includes(reference)) {
        const where = rawDataset.reference !== undefined ? `${datasetAt}.reference` : `${datasetAt}.name`;
        throw new ConfigError(file, where, `a dataset the flow runs on (one of ${datasetNames.join(", ")}); set reference: to pick it`, `"${reference}"`);
      }
      const rawMappings = rawDataset.mappings ?? raw.mappings;
      if (rawMappings === undefined) {
        throw new ConfigError(file, `${datasetAt}.mappings`, "mappings for this dataset (or mappings: on the evaluator)", "none");
      }
      const mappings = checkMappings(rawMappings, {
        file,
        path: rawDataset.mappings !== undefined ? `${datasetAt}.mappings` : `${at}.mappings`,
        allowed: ["data", "run.outputs", "run.inputs", "literal"],
        targetInputs: evaluationFlow ? targetInputsOf(evaluationFlow.flow, path.basename(evaluationFlow.dir)) : undefined,
        evaluatedFlow: standard.flow,
      });
      const dataset: EvaluatorDataset = { name: rawDataset.name, ...source, reference, mappings };
      if (rawDataset.description !== undefined) dataset.description = rawDataset.description;
      return dataset;
    });

    if (evaluationFlow) evaluators.push({ kind: "flow", name: raw.name, flow: evaluationFlow.dir, datasets: evaluatorDatasets });
    else evaluators.push({ kind: "builtin", name: raw.name, builtin: raw.builtin!, params: raw.params ?? {}, datasets: evaluatorDatasets });
  });

  const known = { evaluators: [...evaluators.map((e) => e.name), runMetricsEvaluator], datasets: datasetNames };
  const gates = document.gates ?? [];
  gates.forEach((gate, index) => checkMetricReference(gate, { file: fileOf("gates"), path: `$.gates[${index}]` }, known));

  let regression: RegressionPolicy | undefined;
  if (document.regression) {
    regression = { ...document.regression, metrics: document.regression.metrics ?? [] };
    regression.metrics.forEach((metric, index) => checkMetricReference(metric, { file: fileOf("regression"), path: `$.regression.metrics[${index}]` }, known));
  }

  let production: ProductionEvaluation | undefined;
  if (document.production) {
    const raw = document.production;
    const folder = flowFolder(raw.flow, "production", "$.production.flow");
    const name = path.basename(folder.dir);
    production = {
      name,
      flow: folder.dir,
      mappings: checkMappings(raw.mappings, {
        file: fileOf("production"),
        path: "$.production.mappings",
        // A production log row holds the flow's inputs and outputs side by side: there is no separate run.
        allowed: ["data", "literal"],
        targetInputs: targetInputsOf(folder.flow, name),
        evaluatedFlow: standard.flow,
      }),
      gates: raw.gates ?? [],
    };
    if (raw.source !== undefined) {
      const log = dataSource(raw.source, "production", "$.production.source");
      if (log.asset !== undefined) throw new ConfigError(fileOf("production"), "$.production.source", "a local production log (JSONL)", describeFound(raw.source));
      production.source = log.source;
    }
    production.gates.forEach((gate, index) =>
      checkMetricReference(gate, { file: fileOf("production"), path: `$.production.gates[${index}]` }, { evaluators: [name, runMetricsEvaluator] }),
    );
  }

  const experiment: Omit<Experiment, "connections"> = {
    name: document.name,
    file: context.file,
    flow: standard.dir,
    connectionSpecs,
    datasets,
    evaluators,
    gates,
  };
  if (context.env !== undefined) experiment.env = context.env;
  if (context.overlayFile !== undefined) experiment.overlayFile = context.overlayFile;
  if (regression) experiment.regression = regression;
  if (production) experiment.production = production;
  if (skippedEvaluators.length > 0) experiment.skippedEvaluators = skippedEvaluators;
  if (document.init !== undefined) {
    if (standard.flow.kind !== "flex") throw new ConfigError(fileOf("init"), "$.init", "init arguments only for a flex flow (flow.flex.yaml)", `a ${standard.flow.kind} flow`);
    for (const [key, value] of Object.entries(document.init)) {
      const connection = modelConfigurationConnection(value);
      if (connection !== undefined && !experiment.connectionSpecs.some((spec) => String(spec.name) === connection)) {
        throw new ConfigError(fileOf("init"), `$.init.${key}.connection`, "a connection declared under connections:", `"${connection}"`);
      }
    }
    experiment.init = document.init;
  }
  return experiment;
}
