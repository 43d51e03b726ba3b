/**
 * An experiment as the rest of the project uses it: experiment.yaml (+ its environment overlay) validated, with
 * paths made absolute, evaluator datasets normalised and connections resolved. Plain data; see loadExperiment.ts.
 */
import type { ConnectionSpec } from "../../llm/connections";
import type { Connection } from "../../llm/types";

import type { BuiltinEvaluatorName } from "./builtinEvaluators";

/**
 * Input name → `${data.col}`, `${run.outputs.x}`, `${run.inputs.x}` or a literal (numbers and booleans are kept
 * as strings, exactly as `pf run --column-mapping` receives them).
 */
export type Mappings = Record<string, string>;

/** A registered data asset a dataset reads (`azureml:<name>:<version>`), downloaded to `source` before a run. */
export interface DataAssetReference {
  name: string;
  version: string;
}

export interface ExperimentDataset {
  name: string;
  /** Absolute path of the JSONL file (for a data asset: where its download is cached). */
  source: string;
  asset?: DataAssetReference;
  description?: string;
  /** Flow input → expression; empty means "inputs from the columns of the same name". */
  mappings: Mappings;
}

/** One (evaluator, dataset) pairing: the evaluator reads the run of the flow on `reference`, joined by line. */
export interface EvaluatorDataset {
  /** The dataset whose rows `${data.*}` reads. */
  name: string;
  /** Absolute path of that dataset's JSONL file (for a data asset: where its download is cached). */
  source: string;
  asset?: DataAssetReference;
  /** The experiment dataset whose flow run `${run.*}` reads (default: `name`). */
  reference: string;
  description?: string;
  /** The evaluator's own mappings for this dataset, or the evaluator-level ones. */
  mappings: Mappings;
}

interface EvaluatorBase {
  name: string;
  datasets: EvaluatorDataset[];
}

export interface FlowEvaluator extends EvaluatorBase {
  kind: "flow";
  /** Absolute path of the evaluation flow folder. */
  flow: string;
}

export interface BuiltinEvaluator extends EvaluatorBase {
  kind: "builtin";
  builtin: BuiltinEvaluatorName;
  params: Record<string, unknown>;
}

export type ExperimentEvaluator = FlowEvaluator | BuiltinEvaluator;

/** Field names as in the file, so src/evaluation's RegressionPolicy accepts it as is. */
export interface RegressionPolicy {
  max_drop: number;
  metrics: string[];
  mode?: "absolute" | "relative";
  lower_is_better?: string[];
}

export interface ProductionEvaluation {
  /** Evaluator name metrics are qualified with: the flow folder's name. */
  name: string;
  /** Absolute path of the post-production evaluation flow folder. */
  flow: string;
  /** Absolute path of the default production log, when the file names one. */
  source?: string;
  /** Evaluation flow input → `${data.col}` (a production log row holds inputs and outputs) or a literal. */
  mappings: Mappings;
  gates: string[];
}

export interface Experiment {
  name: string;
  /** Absolute path of experiment.yaml. */
  file: string;
  /** The environment asked for and the overlay applied for it (absent when there was none). */
  env?: string;
  overlayFile?: string;
  /** Absolute path of the standard flow folder. */
  flow: string;
  /** Connection specs as written (environment references, never values): safe to log or pass on. */
  connectionSpecs: ConnectionSpec[];
  /** Resolved connections holding secret values: never print this. Empty when loaded with `resolveSecrets: false`. */
  connections: Record<string, Connection>;
  datasets: ExperimentDataset[];
  evaluators: ExperimentEvaluator[];
  /**
   * Evaluators whose folder holds code but no flow definition (the template's `eval_nlp` style scripts): the
   * template's evaluation skips them, so does this one, and says so.
   */
  skippedEvaluators?: { name: string; reason: string }[];
  /** A flex flow's init arguments (over init.json and the yaml's defaults; `--init` overrides them). */
  init?: Record<string, unknown>;
  gates: string[];
  regression?: RegressionPolicy;
  production?: ProductionEvaluation;
}

/** A dataset the experiment uses, as the template's register_data_asset sees it. */
export interface OutlineDataset {
  name: string;
  description?: string;
  /** Absolute path of a local file; absent for an `azureml:` data asset (already registered). */
  localPath?: string;
  /** An `azureml:<name>:<version>` source, and where its download is cached. */
  asset?: { name: string; version: string; cachePath: string };
}

/** What planning a deployment needs from an experiment: no flow is read and no connection resolved. */
export interface ExperimentOutline {
  name: string;
  file: string;
  /** Absolute path of the standard flow folder (`flow:`, default the name, relative to the experiment). */
  flow: string;
  /** The flow's datasets, then the evaluators' own ones, each name once (the template registers all of them). */
  datasets: OutlineDataset[];
}
