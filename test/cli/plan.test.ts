import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runLlmops } from "../support/cli";

const projectRoot = path.resolve(__dirname, "..", "..");

const runCli = (args: string[], cwd: string) => runLlmops(args, cwd);

const stackTraceLine = /^\s+at .+\(.+:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m;

describe("llmops plan", function () {
  this.timeout(200_000);

  it("prints the resources and traffic of the dev stack and writes the JSON report", async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "llmops-cli-plan-")), "plan.json");
    const result = await runCli(["plan", "--stack", "dev", "--json", out], projectRoot);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Stack dev: \d+ resources/m);
    assert.match(result.stdout, /machinelearningservices:OnlineEndpoint/);
    assert.match(result.stdout, /Traffic of endpoint \S+/);
    const report = JSON.parse(fs.readFileSync(out, "utf8")) as {
      stack: string;
      resources: { type: string; name: string; parent?: string; inputs: Record<string, unknown> }[];
      outputs: Record<string, unknown>;
    };
    assert.equal(report.stack, "dev");
    const traffic = report.resources.find((r) => r.type === "pulumi-nodejs:dynamic/llmops:EndpointTraffic");
    assert.ok(traffic, "the traffic resource is in the report");
    assert.equal(traffic.parent, "deployments");
    assert.equal(Object.values(traffic.inputs.traffic as Record<string, number>).reduce((a, b) => a + b, 0), 100);
    assert.match(String(report.outputs.scoringUri), /^https:\/\/.+\.inference\.ml\.azure\.com\/score$/);
    const image = report.resources.find((r) => r.type === "docker:index/image:Image");
    assert.equal(image?.inputs.registry, "[secret]");
    assert.ok(!fs.readFileSync(out, "utf8").includes("registry-password"), "no credential in the report");
  });

  it("plans a Kubernetes endpoint beside the managed one, its attached compute looked up offline by name", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-cli-aks-"));
    for (const entry of ["Pulumi.yaml", "Pulumi.dev.yaml", "config", "flows"]) fs.cpSync(path.join(projectRoot, entry), path.join(root, entry), { recursive: true });
    const configFile = path.join(root, "config", "deployment_config.json");
    const config = JSON.parse(fs.readFileSync(configFile, "utf8")) as Record<string, unknown>;
    config.kubernetes_endpoint = [
      {
        ENV_NAME: "dev",
        TEST_FILE_PATH: "flows/data/sample-request.json",
        ENDPOINT_NAME: "ticket-classifier-aks-dev",
        PRIOR_DEPLOYMENT_NAME: "blue",
        PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION: "90",
        CURRENT_DEPLOYMENT_NAME: "green",
        CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: "10",
        COMPUTE_NAME: "aks-dev",
        DEPLOYMENT_VM_SIZE: "defaultinstancetype",
        DEPLOYMENT_INSTANCE_COUNT: 2,
        CPU_ALLOCATION: "500m",
        MEMORY_ALLOCATION: "1Gi",
        ENVIRONMENT_VARIABLES: {},
      },
    ];
    fs.writeFileSync(configFile, JSON.stringify(config));
    const out = path.join(root, "plan.json");
    const result = await runCli(["plan", "--stack", "dev", "--json", out], root);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Traffic of endpoint ticket-classifier-dev/);
    assert.match(result.stdout, /Traffic of Kubernetes endpoint ticket-classifier-aks-dev/);
    assert.match(result.stdout, /OnlineDeployment\s+kubernetes-green\s+.*endpointComputeType=Kubernetes\s+instanceType=defaultinstancetype\s+sku\.capacity=2\s+containerResourceRequests\.cpu=500m\s+containerResourceRequests\.memory=1Gi/);
    const report = JSON.parse(fs.readFileSync(out, "utf8")) as { resources: { type: string; name: string; inputs: Record<string, unknown> }[]; outputs: Record<string, unknown> };
    const endpoint = report.resources.find((r) => r.type === "azure-native:machinelearningservices:OnlineEndpoint" && r.name === "kubernetes-endpoint");
    assert.match(String((endpoint?.inputs.properties as Record<string, unknown> | undefined)?.compute), /\/workspaces\/mlw-llmops-dev\/computes\/aks-dev$/);
    assert.deepEqual(report.outputs.kubernetesTraffic, { green: 10, blue: 90 });
    assert.match(String(report.outputs.kubernetesScoringUri), /^https:\/\/ticket-classifier-aks-dev\..+\/score$/);
  });

  it("exits 2 with one clear line and no stack trace on an invalid stack config", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-cli-bad-"));
    for (const entry of ["Pulumi.yaml", "config", "flows"]) fs.cpSync(path.join(projectRoot, entry), path.join(root, entry), { recursive: true });
    const stackFile = fs.readFileSync(path.join(projectRoot, "Pulumi.dev.yaml"), "utf8").replace(/llmops:subscriptionId: .*/, "llmops:subscriptionId: not-a-guid");
    fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), stackFile);
    const result = await runCli(["plan", "--stack", "dev"], root);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^llmops plan: Pulumi\.dev\.yaml: \$\.config\["?llmops:subscriptionId"?\]|^llmops plan: Pulumi\.dev\.yaml: .*subscriptionId/);
    assert.doesNotMatch(result.stderr, stackTraceLine);
    assert.equal(result.stdout, "");
  });

  it("exits 2 on a missing --stack or an unknown stack", async () => {
    const missing = await runCli(["plan"], projectRoot);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--stack is required/);
    const unknown = await runCli(["plan", "--stack", "staging"], projectRoot);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Pulumi\.staging\.yaml not found/);
    assert.doesNotMatch(unknown.stderr, stackTraceLine);
  });
});
