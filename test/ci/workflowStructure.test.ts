import * as assert from "node:assert/strict";
import {
  actionName,
  calledWorkflow,
  expressions,
  isEvaluation,
  isRecord,
  isStackUpdate,
  loadWorkflow,
  stepIndex,
  transitiveNeeds,
  workflowFiles,
} from "./workflowModel";
import type { Job, Step, Workflow } from "./workflowModel";

const pullRequest = loadWorkflow("pull-request.yml");
const deploy = loadWorkflow("deploy.yml");
const postProduction = loadWorkflow("post-production-evaluation.yml");
const useCaseDeploy = loadWorkflow("use-case-deploy.yml");
const all: Workflow[] = workflowFiles().map(loadWorkflow);

/** The variables and secrets the README's setup table documents; a workflow using another one is a doc bug. */
const documentedVariables = [
  "AOAI_API_BASE",
  "AZURE_CLIENT_ID",
  "AZURE_SUBSCRIPTION_ID",
  "AZURE_TENANT_ID",
  "KEY_VAULT_NAME",
  "PRODUCTION_LOG_BLOB_URL",
  "PULUMI_BACKEND_URL",
  "RESOURCE_GROUP_NAME",
  "WORKSPACE_NAME",
];
const documentedSecrets = ["AOAI_API_KEY", "PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE"];
/** Environment variables holding secret values: a script may never mention them (it could print them). */
const secretEnvironmentVariables = ["AOAI_API_KEY", "PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET"];

function allJobs(): [Workflow, Job][] {
  return all.flatMap((workflow) => Object.values(workflow.jobs).map((job): [Workflow, Job] => [workflow, job]));
}

function allSteps(): [Workflow, Job, Step][] {
  return allJobs().flatMap(([workflow, job]) => job.steps.map((step): [Workflow, Job, Step] => [workflow, job, step]));
}

function where(workflow: Workflow, job: Job, step?: Step): string {
  return `${workflow.file} job ${job.id}${step ? ` step ${step.name ?? step.uses ?? step.index}` : ""}`;
}

function job(workflow: Workflow, id: string): Job {
  const found = workflow.jobs[id];
  assert.ok(found, `${workflow.file} has no job '${id}'`);
  return found;
}

function permissionsOf(value: unknown): Record<string, unknown> {
  assert.ok(isRecord(value), "permissions must be a map (never read-all/write-all)");
  return value;
}

function usesLogin(candidate: Job): boolean {
  return candidate.steps.some((step) => actionName(step) === "azure/login");
}

/** The jobs of the workflow a caller job runs (reusable workflows), or none. */
function calledJobs(candidate: Job): Job[] {
  const file = calledWorkflow(candidate);
  return file === undefined ? [] : Object.values(loadWorkflow(file).jobs);
}

/** A matrix job over the use cases the `use-cases` job selected: skipped when it selected none. */
function assertUseCaseMatrix(workflow: Workflow, candidate: Job): void {
  assert.equal(candidate.strategy.matrix, "${{ fromJSON(needs.use-cases.outputs.matrix) }}", where(workflow, candidate));
  assert.equal(candidate.strategy["fail-fast"], false, `${where(workflow, candidate)}: one use case's failure never cancels another's`);
  assert.ok(candidate.needs.includes("use-cases"), where(workflow, candidate));
  assert.match(candidate.if ?? "", /needs\.use-cases\.outputs\.any == 'true'/, `${where(workflow, candidate)} is skipped when no use case is selected (an empty matrix fails)`);
}

function usedNames(text: string, context: "vars" | "secrets"): Set<string> {
  const names = new Set<string>();
  for (const expression of expressions(text)) {
    for (const match of expression.matchAll(new RegExp(`\\b${context}\\.([A-Za-z_][A-Za-z0-9_]*)`, "g"))) names.add(match[1]);
  }
  return names;
}

describe("workflows: triggers", () => {
  it("pull-request runs on pull_request to main and never on pull_request_target", () => {
    assert.deepEqual(Object.keys(pullRequest.on), ["pull_request"]);
    assert.deepEqual(isRecord(pullRequest.on.pull_request) && pullRequest.on.pull_request.branches, ["main"]);
    for (const workflow of all) assert.ok(!("pull_request_target" in workflow.on), workflow.file);
  });

  it("deploy runs on push to main and by hand", () => {
    assert.deepEqual(Object.keys(deploy.on).sort(), ["push", "workflow_dispatch"]);
    assert.deepEqual(isRecord(deploy.on.push) && deploy.on.push.branches, ["main"]);
  });

  it("post-production evaluation runs on a schedule and by hand with the stack and log path as inputs", () => {
    assert.deepEqual(Object.keys(postProduction.on).sort(), ["schedule", "workflow_dispatch"]);
    const schedule = postProduction.on.schedule;
    assert.ok(Array.isArray(schedule) && schedule.length === 1 && isRecord(schedule[0]) && typeof schedule[0].cron === "string");
    const dispatch = postProduction.on.workflow_dispatch;
    const inputs = isRecord(dispatch) && isRecord(dispatch.inputs) ? dispatch.inputs : {};
    for (const name of ["stack", "production-log", "log-blob-url"]) assert.ok(isRecord(inputs[name]), `a ${name} input`);
    // Scheduled runs have no inputs: each use case's prod stack and its own log path apply.
    const evaluate = job(postProduction, "evaluate");
    assert.equal(evaluate.env.STACK, "${{ inputs.stack || matrix.prodStack }}");
    assert.equal(evaluate.env.PRODUCTION_LOG, "${{ inputs.production-log || matrix.productionLog }}");
  });

  it("use-case-deploy runs only when deploy calls it", () => {
    assert.deepEqual(Object.keys(useCaseDeploy.on), ["workflow_call"]);
    const call = useCaseDeploy.on.workflow_call;
    const inputs = isRecord(call) && isRecord(call.inputs) ? call.inputs : {};
    assert.deepEqual(Object.keys(inputs).sort(), ["dev-stack", "id", "prod-stack", "use-case"]);
  });
});

describe("workflows: pull request", () => {
  it("installs with npm ci, then runs npm test (type-check + mocha)", () => {
    const test = job(pullRequest, "test");
    const install = stepIndex(test, (step) => /^npm ci\b/.test(step.run ?? ""));
    const tests = stepIndex(test, (step) => /^npm test\b/.test(step.run ?? ""));
    assert.ok(install >= 0 && tests > install);
    assert.ok(stepIndex(test, (step) => actionName(step) === "actions/setup-node") < install);
  });

  it("selects the use cases the pull request changes from the diff against its base (llmops use-cases)", () => {
    const select = job(pullRequest, "use-cases");
    const checkout = select.steps.find((step) => actionName(step) === "actions/checkout");
    assert.equal(checkout?.with["fetch-depth"], 0, "the base commit must be in the clone to diff against it");
    const step = select.steps.find((candidate) => /npx llmops use-cases --changed "\$changed" --json/.test(candidate.run ?? ""));
    assert.ok(step, "the matrix comes from llmops use-cases");
    assert.match(step.run ?? "", /git diff --name-only "\$BASE_SHA\.\.\.\$HEAD_SHA"/);
    assert.equal(step.env.BASE_SHA, "${{ github.event.pull_request.base.sha }}");
    assert.match(step.run ?? "", /echo "any=false"/);
    assert.deepEqual(Object.keys(isRecord(select.outputs) ? select.outputs : {}).sort(), ["any", "matrix"]);
    assert.ok(!usesLogin(select));
  });

  it("plans each selected use case's stacks offline into the job summary and uploads the plans", () => {
    const plan = job(pullRequest, "plan");
    assertUseCaseMatrix(pullRequest, plan);
    assert.equal(plan.env.STACKS, "${{ matrix.stacks }}");
    const script = plan.steps.map((step) => step.run ?? "").join("\n");
    assert.match(script, /for stack in \$STACKS; do/);
    assert.match(script, /npx llmops plan --stack "\$stack"/);
    assert.match(script, /GITHUB_STEP_SUMMARY/);
    assert.ok(!usesLogin(plan), "the offline plan needs no Azure login, so it also runs for forks");
    const upload = plan.steps.find((step) => actionName(step) === "actions/upload-artifact");
    assert.ok(upload && upload.if === "always()");
    assert.equal(upload.with.name, "offline-plans-${{ matrix.id }}", "one artifact per use case");
  });

  it("skips Azure jobs with a visible notice when there are no credentials, detected without failing", () => {
    const detect = job(pullRequest, "azure-credentials");
    const script = detect.steps.map((step) => step.run ?? "").join("\n");
    assert.match(script, /::notice /);
    assert.match(script, /available=false/);
    for (const id of ["pre-evaluation", "preview"]) {
      const azureJob = job(pullRequest, id);
      assert.ok(azureJob.needs.includes("azure-credentials"), id);
      assert.equal(azureJob.if, "needs.azure-credentials.outputs.available == 'true' && needs.use-cases.outputs.any == 'true'", id);
      assertUseCaseMatrix(pullRequest, azureJob);
    }
    // Presence only: the detection step gets booleans, not secret values.
    for (const value of Object.values(detect.steps[0].env)) {
      for (const expression of expressions(String(value))) {
        if (expression.includes("secrets.")) assert.match(expression, /^(secrets\.\w+ != '' \|\|\s*)*secrets\.\w+ != ''$/);
      }
    }
  });

  it("gates on each use case's pre-deployment evaluation, putting report.md in the summary and the reports in an artifact", () => {
    const pre = job(pullRequest, "pre-evaluation");
    assert.equal(pre.env.DEV_STACK, "${{ matrix.devStack }}", "the dev stack names the use case's experiment and environment");
    const login = stepIndex(pre, (step) => actionName(step) === "azure/login");
    const evaluate = stepIndex(pre, (step) => /npx llmops evaluate --phase pre --stack "\$DEV_STACK" --out reports\/pre/.test(step.run ?? ""));
    const summary = stepIndex(pre, (step) => /cat reports\/pre\/report\.md >> "\$GITHUB_STEP_SUMMARY"/.test(step.run ?? ""));
    const upload = stepIndex(pre, (step) => actionName(step) === "actions/upload-artifact");
    assert.ok(login >= 0 && evaluate > login && summary > evaluate && upload > evaluate);
    assert.equal(pre.steps[summary].if, "always()");
    assert.equal(pre.steps[upload].if, "always()");
    assert.equal(pre.steps[upload].with.name, "pre-deployment-evaluation-${{ matrix.id }}");
  });

  it("previews each use case's dev stack with pulumi/actions and comments the diff on the PR", () => {
    const preview = job(pullRequest, "preview");
    const step = preview.steps.find((candidate) => actionName(candidate) === "pulumi/actions");
    assert.ok(step);
    assert.equal(step.with.command, "preview");
    assert.equal(step.with["stack-name"], "${{ matrix.devStack }}");
    assert.equal(step.with["comment-on-pr"], true);
    assert.ok(stepIndex(preview, (candidate) => actionName(candidate) === "azure/login") < step.index);
    assert.equal(permissionsOf(preview.permissions)["pull-requests"], "write");
  });

  it("never updates a stack", () => {
    for (const candidate of Object.values(pullRequest.jobs)) assert.ok(!candidate.steps.some(isStackUpdate), candidate.id);
  });
});

describe("workflows: deploy and promotion, per use case", () => {
  it("selects the use cases the push changes, or all of them on a run by hand or a new branch", () => {
    const select = job(deploy, "use-cases");
    const step = select.steps.find((candidate) => /npx llmops use-cases "\$\{changed\[@\]\}" --json/.test(candidate.run ?? ""));
    assert.ok(step);
    assert.match(step.run ?? "", /git diff --name-only "\$BEFORE" "\$AFTER"/);
    assert.match(step.run ?? "", /\[ "\$EVENT" = "push" \]/, "workflow_dispatch deploys every use case");
    assert.equal(step.env.BEFORE, "${{ github.event.before }}");
    assert.equal(select.steps.find((candidate) => actionName(candidate) === "actions/checkout")?.with["fetch-depth"], 0);
  });

  it("runs use-case-deploy once per selected use case, after the tests, passing only the secrets it declares", () => {
    const caller = job(deploy, "deploy");
    assertUseCaseMatrix(deploy, caller);
    assert.ok(caller.needs.includes("test"));
    assert.equal(calledWorkflow(caller), "use-case-deploy.yml");
    assert.deepEqual(caller.with, {
      "use-case": "${{ matrix.useCase }}",
      id: "${{ matrix.id }}",
      "dev-stack": "${{ matrix.devStack }}",
      "prod-stack": "${{ matrix.prodStack }}",
    });
    assert.ok(isRecord(caller.secrets), "secrets passed by name, never `secrets: inherit`");
    const call = useCaseDeploy.on.workflow_call;
    const declared = isRecord(call) && isRecord(call.secrets) ? Object.keys(call.secrets).sort() : [];
    assert.deepEqual(Object.keys(caller.secrets).sort(), declared);
    for (const [name, value] of Object.entries(caller.secrets)) assert.equal(value, `\${{ secrets.${name} }}`);
  });

  it("runs the pre-deployment gate before pulumi up of the use case's dev stack, and evaluates dev right after", () => {
    const dev = job(useCaseDeploy, "deploy-dev");
    assert.ok(transitiveNeeds(useCaseDeploy, "deploy-dev").has("pre-evaluation"));
    const pre = job(useCaseDeploy, "pre-evaluation");
    assert.ok(pre.steps.some((step) => /npx llmops evaluate --phase pre --stack "\$DEV_STACK" --out reports\/pre/.test(step.run ?? "")));
    const up = dev.steps.find(isStackUpdate);
    assert.ok(up && actionName(up) === "pulumi/actions" && up.with["stack-name"] === "${{ inputs.dev-stack }}");
    const evaluate = stepIndex(dev, (step) => /npx llmops evaluate --phase post --stack "\$DEV_STACK"/.test(step.run ?? ""));
    assert.ok(evaluate > up.index, "the post-deployment evaluation of dev follows its update");
    for (const candidate of [pre, dev]) assert.equal(candidate.env.DEV_STACK, "${{ inputs.dev-stack }}");
  });

  it("promotes to the use case's prod stack only after dev's post-deployment gate, in the prod environment, when it has one", () => {
    const prod = job(useCaseDeploy, "promote-prod");
    assert.ok(transitiveNeeds(useCaseDeploy, "promote-prod").has("deploy-dev"));
    assert.equal(prod.if, "inputs.prod-stack != ''");
    assert.ok(
      isRecord(prod.environment) ? prod.environment.name === "prod" : prod.environment === "prod",
      "the prod GitHub environment (required reviewers) guards the promotion",
    );
    const promote = stepIndex(prod, (step) => /npx llmops promote --from "\$DEV_STACK" --to "\$PROD_STACK" --yes\b/.test(step.run ?? ""));
    const evaluate = stepIndex(prod, (step) => /npx llmops evaluate --phase post --stack "\$PROD_STACK"/.test(step.run ?? ""));
    const installPulumi = stepIndex(prod, (step) => actionName(step) === "pulumi/actions");
    assert.ok(installPulumi >= 0 && promote > installPulumi && evaluate > promote);
    assert.equal(prod.steps[installPulumi].with.command, undefined, "install-only: llmops promote runs pulumi up itself");
    assert.equal(prod.env.PROD_STACK, "${{ inputs.prod-stack }}");
  });

  it("orders every stack update after every evaluation gate of the jobs it needs", () => {
    for (const workflow of [deploy, useCaseDeploy]) {
      for (const candidate of Object.values(workflow.jobs)) {
        if (!candidate.steps.some(isStackUpdate)) continue;
        const upstream = [...transitiveNeeds(workflow, candidate.id)].map((id) => job(workflow, id));
        const upstreamGates = upstream.filter((other) => other.steps.some(isEvaluation));
        assert.ok(upstreamGates.length > 0, `${candidate.id} updates a stack without any evaluation gate before it`);
        // An upstream job that updates a stack must evaluate what it deployed, i.e. after its own update.
        for (const other of upstreamGates) {
          const update = stepIndex(other, isStackUpdate);
          if (update >= 0) assert.ok(stepIndex(other, isEvaluation) > update, `${other.id} evaluates before it deploys`);
        }
      }
    }
    assert.ok(!Object.values(deploy.jobs).some((candidate) => candidate.steps.some(isStackUpdate)), "deploy.yml updates stacks only through use-case-deploy.yml");
  });

  it("serialises updates of each use case's stack per environment with a concurrency group that never cancels a running deploy", () => {
    const groups = new Set<string>();
    for (const candidate of Object.values(useCaseDeploy.jobs)) {
      if (!candidate.steps.some(isStackUpdate)) continue;
      const concurrency = candidate.concurrency;
      assert.ok(isRecord(concurrency), `${candidate.id} has a concurrency group`);
      assert.equal(concurrency["cancel-in-progress"], false, candidate.id);
      groups.add(String(concurrency.group));
    }
    assert.deepEqual([...groups].sort(), ["deploy-${{ inputs.id }}-dev", "deploy-${{ inputs.id }}-prod"]);
  });

  it("compares each deployed stack with the evaluation before it (baseline from the upstream job's artifact of the same use case)", () => {
    for (const [id, artifact, folder] of [
      ["deploy-dev", "pre-deployment-evaluation-${{ inputs.id }}", "reports/pre"],
      ["promote-prod", "post-deployment-evaluation-${{ inputs.id }}-dev", "reports/post-dev"],
    ]) {
      const candidate = job(useCaseDeploy, id);
      const download = candidate.steps.find((step) => actionName(step) === "actions/download-artifact");
      assert.ok(download && download.with.name === artifact && download.with.path === folder, id);
      const uploader = Object.values(useCaseDeploy.jobs).find((other) => other.steps.some((step) => actionName(step) === "actions/upload-artifact" && step.with.name === artifact));
      assert.ok(uploader && transitiveNeeds(useCaseDeploy, id).has(uploader.id), `${id} needs the job uploading ${artifact}`);
      const evaluation = candidate.steps.find(isEvaluation);
      assert.ok(evaluation && evaluation.index > download.index);
      assert.match(evaluation.run ?? "", new RegExp(`--baseline ${folder} `));
    }
  });

  it("refuses to point prod at dev's resources when the prod environment sets no overrides of its own", () => {
    const prod = job(useCaseDeploy, "promote-prod");
    const guard = prod.steps[0];
    assert.match(guard.run ?? "", /DEV_OVERRIDES/);
    assert.match(guard.run ?? "", /exit 1/);
    assert.match(String(prod.env.DEV_OVERRIDES), /needs\.deploy-dev\.outputs\.overrides/);
  });
});

describe("workflows: security", () => {
  it("grants nothing at the top level", () => {
    for (const workflow of all) {
      const permissions = permissionsOf(workflow.permissions);
      assert.ok(Object.keys(permissions).length === 0 || (Object.keys(permissions).length === 1 && permissions.contents === "read"), workflow.file);
    }
  });

  it("gives each job least privilege: id-token only where Azure login happens, no other writes than the PR comment", () => {
    for (const [workflow, candidate] of allJobs()) {
      const permissions = permissionsOf(candidate.permissions);
      if (calledWorkflow(candidate) !== undefined) {
        // A caller's permissions are the ceiling of the called jobs': exactly what they ask for together.
        const union: Record<string, unknown> = {};
        for (const called of calledJobs(candidate)) Object.assign(union, permissionsOf(called.permissions));
        assert.deepEqual(permissions, union, `${where(workflow, candidate)} grants what the called workflow's jobs ask for, no more`);
        continue;
      }
      for (const [scope, level] of Object.entries(permissions)) {
        if (level !== "write") continue;
        if (scope === "id-token") assert.ok(usesLogin(candidate), `${where(workflow, candidate)} requests id-token without logging in`);
        else if (scope === "pull-requests") assert.ok(candidate.steps.some((step) => step.with["comment-on-pr"] === true), where(workflow, candidate));
        else assert.fail(`${where(workflow, candidate)} requests ${scope}: write`);
      }
      if (usesLogin(candidate)) assert.equal(permissions["id-token"], "write", `${where(workflow, candidate)} logs in without id-token`);
    }
  });

  it("logs in to Azure with OIDC only: client, tenant and subscription IDs, never a client secret", () => {
    for (const [workflow, candidate, step] of allSteps()) {
      if (actionName(step) !== "azure/login") continue;
      assert.deepEqual(Object.keys(step.with).sort(), ["client-id", "subscription-id", "tenant-id"], where(workflow, candidate, step));
    }
    for (const workflow of all) assert.doesNotMatch(workflow.text, /client-secret|CLIENT_SECRET|creds:/, workflow.file);
    for (const [workflow, candidate] of allJobs()) {
      if (candidate.env.ARM_CLIENT_ID === undefined) continue;
      assert.equal(candidate.env.ARM_USE_OIDC, "true", where(workflow, candidate));
      for (const name of ["ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID"]) assert.ok(candidate.env[name] !== undefined, where(workflow, candidate));
    }
  });

  it("never interpolates secrets, inputs or event text into run scripts, nor mentions secret variables there", () => {
    for (const [workflow, candidate, step] of allSteps()) {
      const script = step.run ?? "";
      for (const expression of expressions(script)) {
        assert.doesNotMatch(expression, /\b(secrets|inputs|github\.event)\b/, `${where(workflow, candidate, step)}: \${{ ${expression} }}`);
      }
      for (const name of secretEnvironmentVariables) assert.ok(!script.includes(name), `${where(workflow, candidate, step)} mentions ${name}`);
      assert.doesNotMatch(script, /set -x|--show-secrets/, where(workflow, candidate, step));
    }
  });

  it("uses only the documented repository variables and secrets", () => {
    const variables = new Set<string>();
    const secrets = new Set<string>();
    for (const workflow of all) {
      for (const name of usedNames(workflow.text, "vars")) variables.add(name);
      for (const name of usedNames(workflow.text, "secrets")) secrets.add(name);
    }
    assert.deepEqual([...variables].sort(), documentedVariables);
    assert.deepEqual([...secrets].sort(), documentedSecrets);
  });

  it("hands PULUMI_BACKEND_URL to Pulumi only when the variable is set, before any Pulumi step", () => {
    for (const [workflow, candidate] of allJobs()) {
      assert.equal(candidate.env.PULUMI_BACKEND_URL, undefined, `${where(workflow, candidate)}: an unset variable would arrive as ""`);
      const pulumi = stepIndex(candidate, (step) => actionName(step) === "pulumi/actions");
      if (pulumi < 0) continue;
      const select = stepIndex(candidate, (step) => /if \[ -n "\$BACKEND" \]; then echo "PULUMI_BACKEND_URL=\$BACKEND" >> "\$GITHUB_ENV"; fi/.test(step.run ?? ""));
      assert.ok(select >= 0 && select < pulumi, where(workflow, candidate));
    }
  });

  it("pins actions to the expected major versions and sets up Node 20 with the npm cache", () => {
    const expected: Record<string, string> = {
      "actions/checkout": "v4",
      "actions/download-artifact": "v4",
      "actions/setup-node": "v4",
      "actions/upload-artifact": "v4",
      "azure/login": "v2",
      "pulumi/actions": "v6",
    };
    for (const [workflow, candidate, step] of allSteps()) {
      if (step.uses === undefined) continue;
      const [name, version] = step.uses.split("@");
      assert.ok(name in expected, `${where(workflow, candidate, step)} uses an unexpected action ${name}`);
      assert.equal(version, expected[name], where(workflow, candidate, step));
      if (name === "actions/setup-node") {
        assert.equal(String(step.with["node-version"]), "20");
        assert.equal(step.with.cache, "npm");
      }
    }
  });

  it("never lets an evaluation gate pass by ignoring its failure", () => {
    for (const [workflow, candidate, step] of allSteps()) {
      assert.ok(step.continueOnError === undefined || step.continueOnError === false, where(workflow, candidate, step));
      if (isEvaluation(step)) {
        assert.ok(step.if === undefined, `${where(workflow, candidate, step)} must not be conditional`);
        assert.doesNotMatch(step.run ?? "", /\|\|\s*true|; *true\b|exit 0/, where(workflow, candidate, step));
      }
    }
  });

  it("publishes every evaluation: report.md to the summary and the reports as an artifact, even on failure", () => {
    for (const [workflow, candidate] of allJobs()) {
      const evaluation = candidate.steps.find(isEvaluation);
      if (!evaluation) continue;
      const out = /--out (\S+)/.exec(evaluation.run ?? "")?.[1];
      assert.ok(out, where(workflow, candidate, evaluation));
      const summary = candidate.steps.find((step) => (step.run ?? "").includes(`${out}/report.md`) && (step.run ?? "").includes("GITHUB_STEP_SUMMARY"));
      assert.ok(summary && summary.if === "always()", `${where(workflow, candidate)} puts ${out}/report.md in the summary`);
      const upload = candidate.steps.find((step) => actionName(step) === "actions/upload-artifact" && String(step.with.path).includes(out));
      assert.ok(upload && upload.if === "always()", `${where(workflow, candidate)} uploads ${out}`);
    }
  });
});

describe("workflows: post-production evaluation", () => {
  it("evaluates every use case's prod stack on schedule, or the use case of the stack given by hand", () => {
    const select = job(postProduction, "use-cases");
    const script = select.steps.map((step) => step.run ?? "").join("\n");
    assert.match(script, /npx llmops use-cases --stack "\$STACK_INPUT" --json/);
    assert.match(script, /npx llmops use-cases --json \| jq -c '\.include \|= map\(select\(\.prodStack != ""\)\)'/);
    const evaluate = job(postProduction, "evaluate");
    assertUseCaseMatrix(postProduction, evaluate);
    assert.ok(isRecord(evaluate.concurrency) && evaluate.concurrency.group === "post-production-evaluation-${{ matrix.id }}");
    assert.match(script, /echo "any=false"/);
  });

  it("fetches the log only when a blob URL is given, checks it, then evaluates it against the stack", () => {
    const evaluate = job(postProduction, "evaluate");
    const fetch = stepIndex(evaluate, (step) => /az storage blob download --auth-mode login/.test(step.run ?? ""));
    const check = stepIndex(evaluate, (step) => /\[ ! -s "\$PRODUCTION_LOG" \]/.test(step.run ?? ""));
    const run = stepIndex(evaluate, (step) => /npx llmops evaluate --phase post --stack "\$STACK" --production-log "\$PRODUCTION_LOG" --out reports\/production/.test(step.run ?? ""));
    assert.ok(fetch >= 0 && check > fetch && run > check);
    assert.equal(evaluate.steps[fetch].if, "env.LOG_BLOB_URL != ''");
    assert.equal(evaluate.environment, undefined, "a read-only evaluation needs no prod approval");
    assert.ok(!evaluate.steps.some(isStackUpdate));
  });
});
