/**
 * The serving image of a flow, in one of two recipes (stack config `llmops:serving.engine`):
 * - "llmops" (default): our own engine on a maintained base pinned by digest (Node LTS on Debian slim), Python
 *   from Debian with the flow's requirements in a virtual environment, the llmops runtime compiled to JavaScript
 *   with production dependencies only, run as a non-root user; the start command is `llmops serve`. Its build
 *   context is staged at deploy time (src/infra/buildContext.ts): the runtime's sources at the root
 *   (`runtimeBuildInputs`) and the flow folder under `flow/`. No prompt flow package.
 * - "promptflow": Microsoft's prompt flow runtime image with the flow at /flow and prompt flow's own serving app,
 *   for flows that use what our engine refuses. That image stopped receiving updates with prompt flow's
 *   retirement (feature development ended 2026-04-20, retired 2027-04-20).
 */
import type { ServingEngine } from "../config/stackSettings";

/**
 * Node 24 (LTS) on Debian 12 slim, pinned by digest: a rebuild never picks up a different base unless the stack
 * names one (`llmops:serving.baseImage`).
 */
export const defaultBaseImage = "docker.io/library/node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d";

/** Prompt flow's runtime image: the base of the "promptflow" recipe (and of the LLMOps template). */
export const promptflowRuntimeImage = "mcr.microsoft.com/azureml/promptflow/promptflow-runtime:latest";

/** `<name>@sha256:<64 hex>`: what a pinned base image looks like. */
export const pinnedImagePattern = /^[^\s@]+@sha256:[0-9a-f]{64}$/;

/** Where the image keeps the runtime; the entry script runs its compiled CLI. */
export const runtimeHome = "/opt/llmops";

/**
 * `/usr/local/bin/llmops` in the image: any llmops command (`llmops serve`, `llmops run` on an Azure ML job).
 * LLMOPS_HOME lets the same script run a runtime elsewhere (the tests run it outside Docker).
 */
export const entryScript = ["#!/bin/sh", `exec node "\${LLMOPS_HOME:-${runtimeHome}}/dist/cli/entry.js" "$@"`].join("\n");

/** The container's start command (exec form): `llmops serve` on 0.0.0.0:8080, where Azure ML and App Service call it. */
export const llmopsServingCommand: readonly string[] = ["llmops", "serve", "--flow", "/flow", "--host", "0.0.0.0", "--port", "8080"];

export interface DockerfileInput {
  engine: ServingEngine;
  flowName: string;
  contentHash: string;
  baseImage: string;
  /** Relative path of the flow's requirements file inside the flow folder, when it has one. */
  requirementsFile?: string;
}

/**
 * Python that starts prompt flow's serving app with its AzureML extension on 0.0.0.0:8080. Only that extension
 * reads PRT_CONFIG_OVERRIDE and resolves the flow's connections from the workspace with the endpoint's identity
 * (it also feeds the deployment's data collector); it serves the flow at PROMPTFLOW_PROJECT_PATH. The module
 * moved to promptflow.core in prompt flow 1.8; older base images have it under promptflow._sdk.
 */
const azureMlServingPython = [
  "try:",
  "    from promptflow.core._serving.app import create_app",
  "except ImportError:",
  "    from promptflow._sdk._serving.app import create_app",
  'create_app(extension_type="azureml").run(host="0.0.0.0", port=8080)',
].join("\n");

/**
 * POSIX sh that creates the flow's prompt flow connections in the container's local store from app settings, for
 * hosts without a workspace (the Web App). For each name in LLMOPS_CONNECTIONS (comma-separated) it reads
 * `<NAME>_CONNECTION_TYPE`, `<NAME>_API_BASE`... (NAME = upper-cased, non-alphanumerics as "_", as the plan writes
 * them), writes /tmp/connections/<name>.yaml (LLMOPS_CONNECTIONS_DIR overrides the folder) whose values are `${env:VAR}` references, so no secret lands on
 * disk, and runs `pf connection create --file` on it. A missing setting stops the container with a message
 * naming it, rather than serving a flow whose LLM nodes would fail on every request.
 */
export function connectionSetupScript(): string {
  return [
    'llmops_fail() { echo "llmops: $*" >&2; exit 1; }',
    // The variable name is built from [A-Z0-9_] only, so eval reads one variable and runs nothing else.
    'llmops_value() { eval "llmops_v=\\${$1:-}"; printf "%s" "$llmops_v"; }',
    'llmops_need() { [ -n "$(llmops_value "$1")" ] || llmops_fail "connection $2 needs app setting $1, which is not set"; echo "$3: \\${env:$1}"; }',
    'llmops_may() { if [ -n "$(llmops_value "$1")" ]; then echo "$2: \\${env:$1}"; fi; }',
    'llmops_dir="${LLMOPS_CONNECTIONS_DIR:-/tmp/connections}"',
    'mkdir -p "$llmops_dir" || llmops_fail "cannot create $llmops_dir"',
    'for llmops_name in $(printf "%s" "$LLMOPS_CONNECTIONS" | tr "," " "); do',
    '  case "$llmops_name" in *[!A-Za-z0-9_-]*) llmops_fail "connection name $llmops_name in LLMOPS_CONNECTIONS: use letters, digits, _ or -";; esac',
    '  p=$(printf "%s" "$llmops_name" | tr "a-z" "A-Z" | tr -cs "A-Z0-9" "_")',
    '  f="$llmops_dir/$llmops_name.yaml"',
    '  case "$(llmops_value "${p}_CONNECTION_TYPE")" in',
    '    azure_open_ai)',
    '      { echo "name: $llmops_name"; echo "type: azure_open_ai"',
    '        llmops_need "${p}_API_BASE" "$llmops_name" api_base',
    '        llmops_may "${p}_API_VERSION" api_version; llmops_may "${p}_API_TYPE" api_type; llmops_may "${p}_AUTH_MODE" auth_mode',
    '        if [ "$(llmops_value "${p}_AUTH_MODE")" != meid_token ]; then llmops_need "${p}_API_KEY" "$llmops_name" api_key; fi',
    '      } > "$f" || exit 1;;',
    '    open_ai)',
    '      { echo "name: $llmops_name"; echo "type: open_ai"',
    '        llmops_may "${p}_API_KEY" api_key; llmops_may "${p}_BASE_URL" base_url; llmops_may "${p}_ORGANIZATION" organization',
    '      } > "$f" || exit 1;;',
    '    *) llmops_fail "connection $llmops_name needs app setting ${p}_CONNECTION_TYPE (azure_open_ai or open_ai), found \\"$(llmops_value "${p}_CONNECTION_TYPE")\\"";;',
    "  esac",
    '  pf connection create --file "$f" > /dev/null || llmops_fail "pf connection create failed for connection $llmops_name"',
    "done",
  ].join("\n");
}

/**
 * The container's start command. On an Azure ML deployment (every deployment this project declares sets
 * PRT_CONFIG_OVERRIDE) the AzureML serving extension, which resolves connections from the workspace; anywhere
 * else (Web App, `docker run`) the connections named by LLMOPS_CONNECTIONS are created in the local store first,
 * then `pf flow serve`. Both answer /score and /health on 8080.
 */
export const promptflowServingCommand: readonly string[] = [
  "/bin/sh",
  "-c",
  [
    `if [ -n "\${PRT_CONFIG_OVERRIDE:-}" ]; then exec python -c '${azureMlServingPython}'; fi`,
    'if [ -n "${LLMOPS_CONNECTIONS:-}" ]; then',
    connectionSetupScript(),
    "fi",
    "exec pf flow serve --source /flow --host 0.0.0.0 --port 8080 --skip-open-browser",
  ].join("\n"),
];

/**
 * The "promptflow" recipe, built with the flow folder as context. The flow is served as an unprivileged user after
 * the requirements are installed as root into the image's Python.
 */
function promptflowDockerfileText(input: DockerfileInput): string {
  const lines = [
    generatedHeader(input),
    `FROM --platform=linux/amd64 ${input.baseImage}`,
    "WORKDIR /flow",
    "COPY . /flow",
  ];
  if (input.requirementsFile !== undefined) {
    lines.push(`RUN python -m pip install --no-cache-dir -r ${JSON.stringify(`/flow/${input.requirementsFile}`)}`);
  }
  lines.push(
    "RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin promptflow && chown -R 10001 /flow",
    "USER 10001",
    "ENV PROMPTFLOW_RUN_MODE=serving PROMPTFLOW_PROJECT_PATH=/flow HOME=/home/promptflow",
    "EXPOSE 8080",
    `CMD ${JSON.stringify(promptflowServingCommand)}`,
    "",
  );
  return lines.join("\n");
}

function generatedHeader(input: DockerfileInput): string {
  return `# Generated by llmops for flow "${input.flowName}" (content ${input.contentHash.slice(0, 12)}, engine ${input.engine}). Edit the flow, not this file.`;
}

/** What the llmops recipe's context holds from the runtime's package (files and folders), beside `flow/`. */
export const runtimeBuildInputs: readonly string[] = ["package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json", "src", "config/schema"];

/** The flow folder's place in the llmops recipe's build context. */
export const contextFlowFolder = "flow";

/**
 * The "llmops" recipe. Stage one compiles the runtime from the project's sources (`npm ci`, `npm run build`) and
 * drops the development dependencies; stage two is the serving image: Debian's python3 with a virtual environment
 * holding the flow's requirements (on PATH, so python tools find them), the compiled runtime, the flow at /flow,
 * an unprivileged user. Python packages install before the runtime and the flow are copied, so a flow edit
 * rebuilds only the last layers.
 */
function llmopsDockerfileText(input: DockerfileInput): string {
  const flow = contextFlowFolder;
  const lines = [
    "# syntax=docker/dockerfile:1",
    generatedHeader(input),
    `FROM --platform=linux/amd64 ${input.baseImage} AS runtime`,
    `WORKDIR ${runtimeHome}`,
    "COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./",
    "RUN npm ci --ignore-scripts --no-audit --no-fund",
    "COPY src ./src",
    // The build also generates the config schemas' validators from them; the runtime reads them too.
    "COPY config/schema ./config/schema",
    "RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund && rm -rf src && npm cache clean --force",
    "",
    `FROM --platform=linux/amd64 ${input.baseImage}`,
    "RUN apt-get update && apt-get install --yes --no-install-recommends python3 python3-venv && rm -rf /var/lib/apt/lists/* \\",
    "    && python3 -m venv /opt/venv",
  ];
  if (input.requirementsFile !== undefined) {
    lines.push(
      `COPY ${JSON.stringify([`${flow}/${input.requirementsFile}`, "/tmp/requirements.txt"])}`,
      "RUN /opt/venv/bin/pip install --no-cache-dir -r /tmp/requirements.txt && rm /tmp/requirements.txt",
    );
  }
  lines.push(
    `COPY --from=runtime ${runtimeHome} ${runtimeHome}`,
    `RUN printf '%s\\n' ${entryScript.split("\n").map((line) => shellQuote(line)).join(" ")} > /usr/local/bin/llmops && chmod 755 /usr/local/bin/llmops`,
    "RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin llmops",
    `COPY --chown=10001:10001 ${JSON.stringify([flow, "/flow"])}`,
    "USER 10001",
    "WORKDIR /flow",
    "ENV PATH=/opt/venv/bin:$PATH NODE_ENV=production HOME=/home/llmops",
    "EXPOSE 8080",
    `CMD ${JSON.stringify(llmopsServingCommand)}`,
    "",
  );
  return lines.join("\n");
}

/** Single-quoted for /bin/sh. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/** The Dockerfile of the chosen recipe. */
export function dockerfileText(input: DockerfileInput): string {
  return input.engine === "llmops" ? llmopsDockerfileText(input) : promptflowDockerfileText(input);
}
