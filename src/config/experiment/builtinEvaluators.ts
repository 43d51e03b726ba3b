/**
 * The one registry of `builtin:` evaluators an experiment can name: their parameters, whether they call a model
 * (and so need a connection), and each metric they produce with its direction. The experiment type and loader use
 * it, the evaluator factory (src/evaluation/evaluators/builtin.ts) maps every name to an implementation, reports
 * and A/B tables read the directions, and a test proves experiment.schema.json's enum matches it.
 */

/** Which way a metric improves: compared and gated accordingly; neutral metrics are shown, never judged. */
export type MetricDirection = "higher-is-better" | "lower-is-better" | "neutral";

export interface BuiltinEvaluatorDeclaration {
  /** Parameter name -> what it means. */
  params: Readonly<Record<string, string>>;
  /** Calls a model: needs `params.connection`, and the experiment's connections resolved. */
  needsConnection: boolean;
  /** Metric name -> direction. */
  metrics: Readonly<Record<string, MetricDirection>>;
}

/** Every builtin evaluator reports how many lines it scored and how many it could not. */
const lineCountMetrics = { scored_lines: "neutral", error_lines: "lower-is-better" } as const;
const normalization = {
  ignore_case: "compare case-insensitively (default true)",
  ignore_whitespace: "collapse and trim whitespace before comparing (default true)",
} as const;

export const builtinEvaluators = {
  exact_match: {
    params: normalization,
    needsConnection: false,
    metrics: { exact_match: "higher-is-better", ...lineCountMetrics },
  },
  f1: {
    params: {},
    needsConnection: false,
    metrics: { f1: "higher-is-better", ...lineCountMetrics },
  },
  regex: {
    params: { pattern: "a JavaScript regular expression the prediction must match", flags: "regular expression flags, e.g. i (not g or y)" },
    needsConnection: false,
    metrics: { regex_match: "higher-is-better", ...lineCountMetrics },
  },
  contains: {
    params: { value: "the text (or list of texts) the prediction must contain; default the mapped reference", mode: "all (default) or any", ...normalization },
    needsConnection: false,
    metrics: { contains: "higher-is-better", ...lineCountMetrics },
  },
  json_valid: {
    params: { required_keys: "keys the JSON object must have" },
    needsConnection: false,
    metrics: { json_valid: "higher-is-better", ...lineCountMetrics },
  },
  llm_judge: {
    params: {
      criterion: "relevance, groundedness or coherence (scored 1-5)",
      connection: "the connection of the judge model",
      deployment_name: "the judge model's deployment (or model)",
    },
    needsConnection: true,
    metrics: { relevance: "higher-is-better", groundedness: "higher-is-better", coherence: "higher-is-better", judge_tokens: "lower-is-better", ...lineCountMetrics },
  },
} as const satisfies Record<string, BuiltinEvaluatorDeclaration>;

export type BuiltinEvaluatorName = keyof typeof builtinEvaluators;

export const builtinEvaluatorNames = Object.keys(builtinEvaluators) as BuiltinEvaluatorName[];

export function isBuiltinEvaluatorName(name: string): name is BuiltinEvaluatorName {
  return Object.prototype.hasOwnProperty.call(builtinEvaluators, name);
}

/** Whether this builtin calls a model. */
export function builtinNeedsConnection(name: BuiltinEvaluatorName): boolean {
  return builtinEvaluators[name].needsConnection;
}

/** The direction of a metric a builtin evaluator produces; undefined for a metric it does not declare. */
export function builtinMetricDirection(name: BuiltinEvaluatorName, metric: string): MetricDirection | undefined {
  const metrics: Readonly<Record<string, MetricDirection>> = builtinEvaluators[name].metrics;
  return metrics[metric];
}
