/**
 * A use-case folder in the genaiops-promptflow-template's layout, written by tests (our own content in the
 * template's shapes): configs/deployment_config.json with the template's placeholder entries, experiment.yaml with
 * an empty dev overlay and a pr overlay that empties the evaluators, a DAG flow with two prompt variants, an
 * evaluation flow, data/*.jsonl, sample-request.json and environment/env.yaml.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface TemplateUseCaseOptions {
  /** The experiment's name (the model is `<name>_<env>`). */
  experimentName?: string;
  /** Filled names of the dev managed endpoint; the other entries stay placeholders. */
  endpointName?: string;
  deploymentName?: string;
  /** Extra lines of environment/env.yaml. */
  envYaml?: string;
}

function write(root: string, relative: string, content: string): void {
  const file = path.join(root, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

/** The sentiment every line of the dataset should get: the fake model answers by keyword. */
export function expectedSentiment(text: string): "positive" | "negative" {
  return /\b(love|great|works)\b/i.test(text) ? "positive" : "negative";
}

export const reviewRows = [
  { review: "I love this kettle, it works great", sentiment: "positive" },
  { review: "Broke after two days, returned it", sentiment: "negative" },
  { review: "Great value and it works", sentiment: "positive" },
  { review: "The lid leaks and the handle is loose", sentiment: "negative" },
];

/** Writes `<projectRoot>/<folder>/...` and returns the folder's absolute path. */
export function writeTemplateUseCase(projectRoot: string, folder: string, options: TemplateUseCaseOptions = {}): string {
  const dir = path.join(projectRoot, folder);
  const name = options.experimentName ?? folder;
  const at = (relative: string, content: string): void => write(dir, relative, content);

  at(
    "configs/deployment_config.json",
    JSON.stringify(
      {
        azure_managed_endpoint: [
          {
            ENV_NAME: "dev",
            TEST_FILE_PATH: "sample-request.json",
            ENDPOINT_NAME: options.endpointName ?? `${folder.replace(/_/g, "-")}-dev`,
            ENDPOINT_DESC: "An online endpoint serving the review sentiment flow",
            DEPLOYMENT_DESC: "prompt flow deployment",
            PRIOR_DEPLOYMENT_NAME: "",
            PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION: "",
            CURRENT_DEPLOYMENT_NAME: options.deploymentName ?? "blue",
            CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: "100",
            DEPLOYMENT_VM_SIZE: "Standard_F4s_v2",
            DEPLOYMENT_INSTANCE_COUNT: 1,
            ENVIRONMENT_VARIABLES: { "example-name": "example-value" },
          },
        ],
        kubernetes_endpoint: [
          {
            ENV_NAME: "dev",
            TEST_FILE_PATH: "sample-request.json",
            ENDPOINT_NAME: "",
            ENDPOINT_DESC: "A kubernetes endpoint serving the review sentiment flow",
            DEPLOYMENT_DESC: "prompt flow deployment",
            PRIOR_DEPLOYMENT_NAME: "",
            PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION: "",
            CURRENT_DEPLOYMENT_NAME: "",
            CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: 100,
            COMPUTE_NAME: "",
            DEPLOYMENT_VM_SIZE: "",
            DEPLOYMENT_INSTANCE_COUNT: 1,
            CPU_ALLOCATION: "",
            MEMORY_ALLOCATION: "",
            ENVIRONMENT_VARIABLES: { "example-name": "example-value" },
          },
        ],
        webapp_endpoint: [
          {
            ENV_NAME: "dev",
            TEST_FILE_PATH: "sample-request.json",
            CONNECTION_NAMES: [""],
            REGISTRY_NAME: "",
            REGISTRY_RG_NAME: "",
            APP_PLAN_NAME: "",
            WEB_APP_NAME: "",
            WEB_APP_RG_NAME: "",
            WEB_APP_SKU: "B3",
            USER_MANAGED_ID: "",
          },
        ],
      },
      null,
      4,
    ),
  );

  at(
    "experiment.yaml",
    `name: ${name}
flow: flows/standard

connections:
- name: aoai
  connection_type: azureopenaiconnection
  api_base: \${AOAI_API_BASE}
  api_version: 2024-02-15-preview
  api_key: \${api_key}
  api_type: azure

datasets:
- name: ${name}_reviews
  source: reviews.jsonl
  description: "Product reviews to classify"
  mappings:
    review: "\${data.review}"

evaluators:
- name: sentiment_match
  flow: flows/evaluation
  datasets:
  - name: ${name}_reviews_labelled
    reference: ${name}_reviews
    source: reviews_labelled.jsonl
    description: "Reviews with their sentiment"
    mappings:
      prediction: "\${run.outputs.sentiment}"
      label: "\${data.sentiment}"
`,
  );
  at("experiment.dev.yaml", "");
  at("experiment.pr.yaml", "evaluators:\n");

  at(
    "flows/standard/flow.dag.yaml",
    `inputs:
  review:
    type: string
outputs:
  sentiment:
    type: string
    reference: \${parse.output}
nodes:
- name: classify
  use_variants: true
- name: parse
  type: python
  source:
    type: code
    path: parse.py
  inputs:
    answer: \${classify.output}
node_variants:
  classify:
    default_variant_id: variant_0
    variants:
      variant_0:
        node:
          type: llm
          source:
            type: code
            path: classify.jinja2
          inputs:
            deployment_name: gpt-35-turbo
            temperature: 0
            review: \${inputs.review}
          connection: aoai
          api: chat
      variant_1:
        node:
          type: llm
          source:
            type: code
            path: classify__variant_1.jinja2
          inputs:
            deployment_name: gpt-35-turbo
            temperature: 0.2
            review: \${inputs.review}
          connection: aoai
          api: chat
environment:
  python_requirements_txt: requirements.txt
`,
  );
  at("flows/standard/classify.jinja2", "system:\nAnswer positive or negative.\n\nuser:\n{{review}}\n");
  at("flows/standard/classify__variant_1.jinja2", "system:\nIs this review positive or negative? One word.\n\nuser:\n{{review}}\n");
  at(
    "flows/standard/parse.py",
    "import os\nfrom promptflow import tool\n\n\n@tool\ndef parse(answer: str) -> str:\n" +
      "    # env.yaml reaches the flow's environment: SENTIMENT_CASE decides the letter case.\n" +
      "    word = answer.strip().split()[0].strip('.').lower() if answer.strip() else 'unknown'\n" +
      "    return word.upper() if os.environ.get('SENTIMENT_CASE') == 'upper' else word\n",
  );
  at("flows/standard/requirements.txt", "promptflow\n");

  at(
    "flows/evaluation/flow.dag.yaml",
    `inputs:
  prediction:
    type: string
  label:
    type: string
outputs:
  correct:
    type: bool
    reference: \${match.output}
nodes:
- name: match
  type: python
  source:
    type: code
    path: match.py
  inputs:
    prediction: \${inputs.prediction}
    label: \${inputs.label}
- name: accuracy
  type: python
  source:
    type: code
    path: accuracy.py
  inputs:
    results: \${match.output}
  aggregation: true
`,
  );
  at("flows/evaluation/match.py", "from promptflow import tool\n\n\n@tool\ndef match(prediction: str, label: str) -> bool:\n    return prediction.lower() == label.lower()\n");
  at(
    "flows/evaluation/accuracy.py",
    "from promptflow import tool, log_metric\n\n\n@tool\ndef accuracy(results: list) -> dict:\n" +
      "    value = round(sum(1 for r in results if r) / len(results), 4) if results else 0.0\n" +
      "    log_metric('accuracy', value)\n    return {'accuracy': value}\n",
  );

  const jsonl = (rows: object[]): string => rows.map((row) => JSON.stringify(row)).join("\n") + "\n";
  at("data/reviews.jsonl", jsonl(reviewRows.map(({ review }) => ({ review }))));
  at("data/reviews_labelled.jsonl", jsonl(reviewRows));
  at("sample-request.json", JSON.stringify({ review: "I love it" }) + "\n");
  at("environment/Dockerfile", "FROM mcr.microsoft.com/azureml/promptflow/promptflow-runtime:latest\n");
  at("environment/env.yaml", `SENTIMENT_CASE: upper\n${options.envYaml ?? ""}`);
  return dir;
}

/** Pulumi.<stack>.yaml of a use-case stack, as a user writes it. */
export function useCaseStackFile(useCase: string, environment = "dev"): string {
  return `config:
  llmops:environment: ${environment}
  llmops:useCase: ${useCase}
  llmops:subscriptionId: 00000000-1111-2222-3333-444444444444
  llmops:location: westeurope
  llmops:resourceGroupName: rg-llmops-${environment}
  llmops:workspaceName: mlw-llmops-${environment}
  llmops:keyVault:
    name: kv-llmops-${environment}
  llmops:containerRegistry:
    name: crllmops${environment}
`;
}
