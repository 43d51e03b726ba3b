/**
 * The whole deploy path on one machine: real `llmops serve` processes answer `llmops evaluate --phase post`, alone
 * (`--target`) and as an A/B pair behind a local router that picks the deployment the way Azure ML does
 * (`azureml-model-deployment`), with gates and reports; and the image's start command (entry script, CMD, the
 * deployment's environment variables) run outside Docker on the compiled runtime.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "yaml";
import { entryScript, llmopsServingCommand } from "../../src/plan/dockerfile";
import { servingRoutes } from "../../src/infra/imageSpecs";
import { classifyText, latestRun, root, runCli, variantClassifier, writeExperiment } from "../evaluation/phases/cliSupport";
import { startFakeArmServer } from "../support/fakeArmServer";
import { startFakeOpenAiServer, type FakeOpenAiServer, type FakeRequest } from "../support/fakeOpenAiServer";
import { startServe, type ServeProcess } from "../support/llmopsServe";
import { writeChatFlow } from "../serve/fixtures";
import { cleanupFlowDirs } from "../flow/support";

const modelKey = "deploy-path-model-key-77";
const endpointKey = "deploy-path-endpoint-key-31";

/** The accurate model: classifies every ticket by keyword. */
function accurateModel(request: FakeRequest): string {
  const messages = (request.body.messages ?? []) as { role: string; content: string }[];
  const lastUser = [...messages].reverse().find((message) => message.role === "user")?.content ?? "";
  return JSON.stringify({ category: classifyText(lastUser.replace(/^[\s\S]*?Ticket:\s*/, "")), confidence: 0.9 });
}

/** Azure ML's front door in miniature: key auth, `azureml-model-deployment` pins a deployment, else the split. */
async function startRouter(deployments: Record<string, string>, split: string[]): Promise<{ url: string; picked: string[]; close(): Promise<void> }> {
  const picked: string[] = [];
  let next = 0;
  const server: Server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${endpointKey}`) {
      res.writeHead(401).end();
      return;
    }
    const pinned = req.headers["azureml-model-deployment"];
    const name = typeof pinned === "string" ? pinned : split[next++ % split.length];
    const target = deployments[name];
    if (target === undefined) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ message: `no deployment ${name}` }));
      return;
    }
    picked.push(name);
    const upstream = httpRequest(`${target}${req.url ?? "/score"}`, { method: req.method, headers: { "content-type": req.headers["content-type"] ?? "application/json", "x-request-id": `${name}-${picked.length}` } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { "content-type": answer.headers["content-type"] ?? "application/json", "azureml-model-deployment": name });
      answer.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    picked,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("deploy path on one machine: llmops serve + llmops evaluate --phase post", function () {
  this.timeout(240_000);
  let tmp: string;
  let experiment: string;
  let accurate: FakeOpenAiServer;
  let degraded: FakeOpenAiServer;
  const servers: ServeProcess[] = [];

  const serveWith = async (model: FakeOpenAiServer, flow = path.join(root, "flows/support_ticket_classifier")): Promise<ServeProcess> => {
    const server = await startServe({ args: ["--flow", flow, "--connections", path.join(root, "flows/experiment.yaml")], env: { AOAI_API_BASE: model.url, AOAI_API_KEY: modelKey } });
    servers.push(server);
    return server;
  };

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-deploy-path-"));
    experiment = writeExperiment(tmp, { gates: ["ticket_classification_eval.accuracy >= 0.85", "error_rate <= 0.02"] });
    accurate = await startFakeOpenAiServer({ apiKey: modelKey, answer: accurateModel, logRequests: false });
    // The flow's default (zero-shot) variant as variantClassifier models it: account tickets filed as billing.
    degraded = await startFakeOpenAiServer({ apiKey: modelKey, answer: variantClassifier, logRequests: false });
  });
  after(async () => {
    for (const server of servers) assert.equal(await server.stop(), 0, "llmops serve stops cleanly on SIGTERM");
    await accurate.close();
    await degraded.close();
    fs.rmSync(tmp, { recursive: true, force: true });
    cleanupFlowDirs();
  });

  it("evaluates a real llmops serve of the sample flow with --target: smoke test, evaluators, gates, reports (exit 0)", async () => {
    const server = await serveWith(accurate);
    const out = path.join(tmp, "target");
    const result = await runCli(["--phase", "post", "--stack", "dev", "--target", server.url, "--experiment", experiment, "--out", out], {});
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const run = latestRun(out);
    const host = new URL(server.url).host;
    const accuracy = run.metrics.targets.find((entry) => entry.id === `ticket_eval/ticket_classification_eval@url:${host}`);
    assert.ok(accuracy !== undefined && accuracy.metrics.accuracy > 0.95, JSON.stringify(accuracy));
    assert.ok(run.metrics.gates.every((gate) => gate.passed), JSON.stringify(run.metrics.gates.filter((gate) => !gate.passed)));
    for (const report of ["report.html", "report.md", "metrics.json", "junit.xml"]) assert.ok(fs.existsSync(path.join(run.dir, report)), report);
  });

  it("evaluates an A/B pair of llmops serve processes behind a router honouring azureml-model-deployment: gates on the current one", async () => {
    const green = await serveWith(accurate);
    const blue = await serveWith(degraded);
    const router = await startRouter({ green: green.url, blue: blue.url }, ["blue", "blue", "green"]);
    try {
      const outputs = path.join(tmp, "ab.outputs.json");
      fs.writeFileSync(
        outputs,
        JSON.stringify({ stack: "prod", environment: "prod", endpointName: "ticket-classifier-prod", scoringUri: `${router.url}/score`, deploymentNames: ["green", "blue"], traffic: { blue: 90, green: 10 } }),
      );
      const out = path.join(tmp, "ab");
      const result = await runCli(["--phase", "post", "--stack", "prod", "--stack-outputs", outputs, "--experiment", experiment, "--out", out], { LLMOPS_ENDPOINT_KEY: endpointKey });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      const run = latestRun(out);
      const accuracyOf = (deployment: string): number =>
        run.metrics.targets.find((entry) => entry.id === `ticket_eval/ticket_classification_eval@ticket-classifier-prod:${deployment}`)!.metrics.accuracy;
      assert.ok(accuracyOf("green") > 0.95, `green ${accuracyOf("green")}`);
      assert.ok(accuracyOf("blue") < accuracyOf("green"), `blue ${accuracyOf("blue")} is the worse build`);
      assert.ok(router.picked.includes("green") && router.picked.includes("blue"));
      assert.match(run.file("report.md"), /green/);
    } finally {
      await router.close();
    }
  });

  // A flex flow's experiment is refused by the experiment loader today ("a flex flow, not a DAG"); serving flex flows
  // is covered in test/serve/app.test.ts.
  it("evaluates a chat flow served by llmops serve", async () => {
    const chatModel = await startFakeOpenAiServer({ apiKey: modelKey, answer: (request) => `about ${String(((request.body.messages ?? []) as { content: string }[]).at(-1)?.content ?? "")}` });
    try {
      // The chat input is named like the sample request's field, so the stack's smoke-test request fits it too.
      const chatFlow = writeChatFlow();
      for (const file of ["flow.dag.yaml", "chat.jinja2"]) {
        const full = path.join(chatFlow, file);
        fs.writeFileSync(full, fs.readFileSync(full, "utf8").replace(/\bquestion\b/g, "ticket_text"));
      }
      // The experiment's flow lives in its use-case folder: a flow outside it and the project is refused.
      const flowInUseCase = path.join(tmp, "chat-flow");
      fs.cpSync(chatFlow, flowInUseCase, { recursive: true });
      const flows = [{ name: "chat", flow: flowInUseCase, output: "answer" }];
      for (const { name, flow, output } of flows) {
        const server = await serveWith(chatModel, flow);
        const dataset = path.join(tmp, `${name}.jsonl`);
        fs.writeFileSync(dataset, ["What is prompt flow?", "Name two colours", "Where is my parcel?"].map((ticket) => JSON.stringify({ ticket_text: ticket, chat_history: [] })).join("\n") + "\n");
        const file = path.join(tmp, `${name}.experiment.yaml`);
        fs.writeFileSync(
          file,
          yaml.stringify({
            name: `${name}_flow`,
            flow,
            connections: (yaml.parse(fs.readFileSync(path.join(root, "flows/experiment.yaml"), "utf8")) as { connections: unknown }).connections,
            datasets: [{ name: "questions", source: dataset, mappings: { ticket_text: "${data.ticket_text}", chat_history: "${data.chat_history}" } }],
            evaluators: [{ name: "answered", builtin: "contains", params: { value: "about" }, datasets: [{ name: "questions", mappings: { prediction: `\${run.outputs.${output}}` } }] }],
            gates: ["answered.contains >= 1", "error_rate <= 0"],
          }),
        );
        const out = path.join(tmp, `${name}-out`);
        const result = await runCli(["--phase", "post", "--stack", "dev", "--target", server.url, "--experiment", file, "--out", out], { AOAI_API_BASE: chatModel.url, AOAI_API_KEY: modelKey });
        assert.equal(result.code, 0, `${name}: ${result.stdout}${result.stderr}`);
        assert.ok(latestRun(out).metrics.gates.every((gate) => gate.passed), name);
      }
    } finally {
      await chatModel.close();
    }
  });

  it("runs the image's start command outside Docker: entry script + CMD + the deployment's variables, on the compiled runtime", async () => {
    // The image's /opt/llmops: the runtime compiled by its build script, its dependencies, package.json, schemas.
    const home = path.join(tmp, "opt-llmops");
    fs.mkdirSync(home);
    const build = spawnSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", path.join(root, "tsconfig.build.json"), "--outDir", path.join(home, "dist")], { encoding: "utf8", timeout: 180_000 });
    assert.equal(build.status, 0, build.stdout + build.stderr);
    fs.cpSync(path.join(root, "src/flow/python"), path.join(home, "dist/flow/python"), { recursive: true });
    fs.copyFileSync(path.join(root, "package.json"), path.join(home, "package.json"));
    fs.symlinkSync(path.join(root, "node_modules"), path.join(home, "node_modules"));
    const bin = path.join(tmp, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "llmops"), `${entryScript}\n`, { mode: 0o755 });

    const arm = await startFakeArmServer();
    const workspace = { subscriptionId: "00000000-0000-0000-0000-0000000000aa", resourceGroupName: "rg", workspaceName: "mlw" };
    arm.addWorkspaceConnection(workspace, "aoai", { category: "AzureOpenAI", authType: "ApiKey", target: accurate.url, credentials: { key: modelKey }, metadata: { ApiVersion: "2024-10-21" } });
    // The CMD as the Dockerfile has it, bound to an ephemeral loopback port and this machine's copy of /flow.
    const command = llmopsServingCommand.map((part) => (part === "/flow" ? path.join(root, "flows/support_ticket_classifier") : part === "0.0.0.0" ? "127.0.0.1" : part === String(servingRoutes.scoringRoute.port) ? "0" : part));
    assert.deepEqual(llmopsServingCommand.slice(-2), ["--port", String(servingRoutes.scoringRoute.port)], "the CMD listens where the environment's routes and probes point");
    const server = await startServe({
      command: { file: "/bin/sh", args: ["-c", 'exec "$@"', "sh", ...command] },
      env: {
        PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
        LLMOPS_HOME: home,
        NODE_ENV: "production",
        // What the plan sets on an Azure ML deployment, and what Azure ML's managed identity looks like.
        PRT_CONFIG_OVERRIDE: `deployment.subscription_id=${workspace.subscriptionId},deployment.resource_group=${workspace.resourceGroupName},deployment.workspace_name=${workspace.workspaceName},deployment.endpoint_name=ep,deployment.deployment_name=green`,
        PROMPTFLOW_RUN_MODE: "serving",
        LLMOPS_ARM_ENDPOINT: arm.baseUrl,
        IDENTITY_ENDPOINT: `${arm.baseUrl}/msi/token`,
        IDENTITY_HEADER: arm.identityHeader,
      },
      timeoutMs: 60_000,
    });
    try {
      const health = await fetch(`${server.url}${servingRoutes.livenessRoute.path}`);
      assert.equal(health.status, 200);
      const score = await fetch(`${server.url}${servingRoutes.scoringRoute.path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ticket_text: "My invoice is wrong" }) });
      assert.equal(score.status, 200);
      assert.equal(((await score.json()) as { category: string }).category, "billing");
    } finally {
      assert.equal(await server.stop(), 0);
      await arm.close();
    }
  });
});
