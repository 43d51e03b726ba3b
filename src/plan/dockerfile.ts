/** The serving image of a prompt flow: Microsoft's prompt flow runtime image with the flow at /flow. */
export const defaultBaseImage = "mcr.microsoft.com/azureml/promptflow/promptflow-runtime:latest";

export interface DockerfileInput {
  flowName: string;
  contentHash: string;
  baseImage: string;
  /** Relative path of the flow's requirements file, when it has one. */
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
export const servingCommand: readonly string[] = [
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
 * Dockerfile text, built with the flow folder as context. The flow is served as an unprivileged user after the
 * requirements are installed as root into the image's Python.
 */
export function dockerfileText(input: DockerfileInput): string {
  const lines = [
    `# Generated by llmops for flow "${input.flowName}" (content ${input.contentHash.slice(0, 12)}). Edit the flow, not this file.`,
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
    `CMD ${JSON.stringify(servingCommand)}`,
    "",
  );
  return lines.join("\n");
}
