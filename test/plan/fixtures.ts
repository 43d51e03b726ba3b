import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../../src/core/userError";
import { planStack, type PlanInput } from "../../src/plan/load/planSources";
import type { InfraPlan } from "../../src/plan/types";

/** A managed endpoint entry as the template writes it: string allocations, "" prior. */
export function managedEntry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ENV_NAME: "dev",
    TEST_FILE_PATH: "flows/data/sample-request.json",
    ENDPOINT_NAME: "ticket-endpoint-dev",
    ENDPOINT_DESC: "An online endpoint serving a flow",
    DEPLOYMENT_DESC: "prompt flow deployment",
    PRIOR_DEPLOYMENT_NAME: "",
    PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION: "",
    CURRENT_DEPLOYMENT_NAME: "blue",
    CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: "100",
    DEPLOYMENT_VM_SIZE: "Standard_DS3_v2",
    DEPLOYMENT_INSTANCE_COUNT: 1,
    ENVIRONMENT_VARIABLES: { example_name: "example_value" },
    ...overrides,
  };
}

export function webAppEntry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ENV_NAME: "dev",
    TEST_FILE_PATH: "flows/data/sample-request.json",
    CONNECTION_NAMES: ["aoai"],
    REGISTRY_NAME: "",
    REGISTRY_RG_NAME: "",
    APP_PLAN_NAME: "plan-ticket-dev",
    WEB_APP_NAME: "app-ticket-dev",
    WEB_APP_RG_NAME: "",
    WEB_APP_SKU: "B3",
    USER_MANAGED_ID: "id-ticket-dev",
    ...overrides,
  };
}

export function deploymentConfig(parts: { managed?: unknown[]; webApps?: unknown[]; kubernetes?: unknown[] } = {}): Record<string, unknown> {
  const config: Record<string, unknown> = {
    azure_managed_endpoint: parts.managed ?? [managedEntry(), managedEntry({ ENV_NAME: "prod", ENDPOINT_NAME: "ticket-endpoint-prod" })],
    webapp_endpoint: parts.webApps ?? [webAppEntry()],
  };
  if (parts.kubernetes) config.kubernetes_endpoint = parts.kubernetes;
  return config;
}

/** Stack config as Pulumi gives it to the program: no namespace, strings, structured values as JSON text. */
export function stackConfig(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const base: Record<string, string | undefined> = {
    environment: "dev",
    subscriptionId: "00000000-1111-2222-3333-444444444444",
    location: "westeurope",
    resourceGroupName: "rg-llmops-dev",
    workspaceName: "mlw-llmops-dev",
    keyVault: JSON.stringify({ name: "kv-llmops-dev", authorization: "rbac" }),
    containerRegistry: JSON.stringify({ name: "crllmopsdev" }),
    flowPath: "flows/classifier",
    ...overrides,
  };
  const result: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) result[k] = v;
  return result;
}

export interface Project {
  root: string;
  writeConfig(config: unknown): void;
  writeFile(relativePath: string, content: string): void;
  remove(): void;
}

/** A temp project: a small flow folder, data files, a request file and a deployment config. */
export function makeProject(config: unknown = deploymentConfig()): Project {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-plan-"));
  const project: Project = {
    root,
    writeConfig: (c) => project.writeFile("config/deployment_config.json", JSON.stringify(c, null, 2)),
    writeFile: (relativePath, content) => {
      const file = path.join(root, relativePath);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    },
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
  project.writeFile(
    "flows/classifier/flow.dag.yaml",
    "inputs:\n  ticket:\n    type: string\noutputs:\n  category:\n    type: string\n    reference: ${classify.output}\n" +
      "nodes:\n- name: classify\n  type: python\n  source:\n    type: code\n    path: classify.py\n  inputs:\n    ticket: ${inputs.ticket}\n" +
      "environment:\n  python_requirements_txt: requirements.txt\n",
  );
  project.writeFile("flows/classifier/classify.py", "from promptflow import tool\n\n@tool\ndef classify(ticket: str) -> str:\n    return 'other'\n");
  project.writeFile("flows/classifier/requirements.txt", "promptflow\n");
  project.writeFile("flows/data/sample-request.json", '{"ticket": "My invoice is wrong"}\n');
  project.writeFile("flows/data/bulk.jsonl", '{"ticket": "a"}\n{"ticket": "b"}\n');
  project.writeFile("flows/data/eval.jsonl", '{"ticket": "a", "category": "billing"}\n');
  project.writeFile(
    "flows/experiment.yaml",
    "name: classifier\nflow: classifier\nconnections:\n" +
      "  - name: aoai\n    connection_type: AzureOpenAIConnection\n    api_base: ${AOAI_API_BASE}\n    api_version: '2024-10-21'\n    auth_mode: key\n    api_key: ${AOAI_API_KEY}\n" +
      "datasets:\n  - name: bulk\n    source: experiment-rows.jsonl\n    mappings:\n      ticket: ${data.ticket}\n",
  );
  project.writeFile(
    "flows/experiment.prod.yaml",
    "connections:\n  - name: aoai\n    connection_type: AzureOpenAIConnection\n    api_base: ${AOAI_API_BASE}\n    api_version: '2024-10-21'\n    auth_mode: meid_token\n",
  );
  project.writeFile("flows/experiment-rows.jsonl", '{"ticket": "a"}\n');
  project.writeConfig(config);
  return project;
}

/**
 * A `makeProject` for one `describe` block: every project it makes is removed after the block's tests, so a
 * suite never leaves temp folders behind. Call it directly inside `describe` (it registers an `after` hook).
 */
export function projectsRemovedAfterSuite(): (config?: unknown) => Project {
  const projects: Project[] = [];
  after(() => projects.forEach((p) => p.remove()));
  return (config) => {
    const p = makeProject(config);
    projects.push(p);
    return p;
  };
}


export function planInput(project: Project, overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    stack: "dev",
    projectRoot: project.root,
    stackConfig: stackConfig(),
    stackConfigFile: "Pulumi.dev.yaml",
    // What CI has when it plans: the endpoint of the Azure OpenAI connection the Web App's settings name.
    environmentVariables: { AOAI_API_BASE: "https://aoai-test.openai.azure.com/" },
    ...overrides,
  };
}

export function plan(project: Project, overrides: Partial<PlanInput> = {}): InfraPlan {
  return planStack(planInput(project, overrides));
}

/** The ConfigError `fn` throws (the test fails on anything else). */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err;
  }
  assert.fail("expected a ConfigError");
}
