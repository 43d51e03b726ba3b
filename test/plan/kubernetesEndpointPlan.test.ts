import assert from "node:assert/strict";
import { configError, deploymentConfig, managedEntry, plan, projectsRemovedAfterSuite } from "./fixtures";

/** A kubernetes_endpoint entry as the template writes it, names filled. */
function kubernetesEntry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return managedEntry({
    ENDPOINT_NAME: "ticket-aks-dev",
    ENDPOINT_DESC: "A Kubernetes endpoint serving a flow",
    COMPUTE_NAME: "aks-dev",
    DEPLOYMENT_VM_SIZE: "defaultinstancetype",
    CPU_ALLOCATION: "500m",
    MEMORY_ALLOCATION: "0.5Gi",
    ...overrides,
  });
}

describe("plan: Kubernetes online endpoints", () => {
  const project = projectsRemovedAfterSuite();

  it("plans the entry of the stack's environment on its attached compute, with the cluster's instance type and container requests", () => {
    const p = project(deploymentConfig({ managed: [], webApps: [], kubernetes: [kubernetesEntry()] }));
    const result = plan(p);
    assert.equal(result.endpoint, undefined);
    const endpoint = result.kubernetesEndpoint!;
    assert.equal(endpoint.name, "ticket-aks-dev");
    assert.deepEqual(endpoint.compute, { kind: "kubernetes", computeName: "aks-dev" });
    assert.equal(endpoint.description, "A Kubernetes endpoint serving a flow");
    assert.equal(endpoint.authMode, "Key");
    assert.deepEqual(endpoint.traffic, { blue: 100 });
    const [deployment] = endpoint.deployments;
    assert.equal(deployment.vmSize, "defaultinstancetype");
    assert.equal(deployment.instanceCount, 1);
    assert.deepEqual(deployment.containerResourceRequests, { cpu: "500m", memory: "0.5Gi" });
    assert.equal(deployment.environmentVariables.PROMPTFLOW_RUN_MODE, "serving");
    assert.equal(deployment.environmentVariables.example_name, "example_value");
    assert.match(deployment.environmentVariables.PRT_CONFIG_OVERRIDE, /deployment\.endpoint_name=ticket-aks-dev,deployment\.deployment_name=blue$/);
    assert.deepEqual(deployment.request, { timeout: "PT3M", maxConcurrentRequestsPerInstance: 1 });
    assert.equal(deployment.livenessProbe.failureThreshold, 30);
  });

  it("turns numeric CPU into a quantity and leaves blank requests to the instance type", () => {
    const numeric = plan(project(deploymentConfig({ managed: [], webApps: [], kubernetes: [kubernetesEntry({ CPU_ALLOCATION: 2, MEMORY_ALLOCATION: "" })] })));
    assert.deepEqual(numeric.kubernetesEndpoint!.deployments[0].containerResourceRequests, { cpu: "2" });
    const blank = plan(project(deploymentConfig({ managed: [], webApps: [], kubernetes: [kubernetesEntry({ CPU_ALLOCATION: "", MEMORY_ALLOCATION: "" })] })));
    assert.equal(blank.kubernetesEndpoint!.deployments[0].containerResourceRequests, undefined);
  });

  it("leaves a Kubernetes entry with every name blank as a placeholder, and refuses one with only the instance type blank", () => {
    const blankNames = { ENDPOINT_NAME: "", CURRENT_DEPLOYMENT_NAME: "", COMPUTE_NAME: "", DEPLOYMENT_VM_SIZE: "", CPU_ALLOCATION: "", MEMORY_ALLOCATION: "" };
    const placeholder = plan(project(deploymentConfig({ webApps: [], kubernetes: [kubernetesEntry(blankNames)] })));
    assert.equal(placeholder.kubernetesEndpoint, undefined);
    assert.ok(placeholder.endpoint !== undefined);
    const half = configError(() => plan(project(deploymentConfig({ webApps: [], kubernetes: [kubernetesEntry({ DEPLOYMENT_VM_SIZE: "" })] }))));
    assert.equal(half.jsonPath, "$.kubernetes_endpoint[0].DEPLOYMENT_VM_SIZE");
  });

  it("applies the same A/B rules as managed endpoints: both allocations, pins, probes, autoscale, auth", () => {
    const entry = kubernetesEntry({
      PRIOR_DEPLOYMENT_NAME: "blue",
      PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION: "90",
      CURRENT_DEPLOYMENT_NAME: "green",
      CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: 10,
      DEPLOYMENT_INSTANCE_COUNT: "2",
      AUTOSCALE: { MIN_INSTANCES: 2, MAX_INSTANCES: "5" },
      READINESS_PROBE: { PERIOD_SECONDS: 5 },
      REQUEST_TIMEOUT_MS: 60000,
      AUTH_MODE: "aad_token",
      PRIOR_DEPLOYMENT_MODEL_VERSION: "3",
    });
    const endpoint = plan(project(deploymentConfig({ managed: [], webApps: [], kubernetes: [entry] }))).kubernetesEndpoint!;
    assert.deepEqual(endpoint.traffic, { green: 10, blue: 90 });
    assert.deepEqual(endpoint.mirrorTraffic, {});
    assert.equal(endpoint.authMode, "AADToken");
    const [green, blue] = endpoint.deployments;
    assert.equal(green.role, "current");
    assert.deepEqual(green.serves, { kind: "candidate" });
    assert.deepEqual(blue.serves, { kind: "pinned", modelVersion: "3" });
    assert.deepEqual(green.autoscale, { minInstances: 2, maxInstances: 5, targetUtilizationPercentage: 70 });
    assert.equal(green.readinessProbe.period, "PT5S");
    assert.equal(green.request.timeout, "PT1M");
  });

  it("mirrors to the current deployment only when it has no live traffic", () => {
    const entry = kubernetesEntry({
      PRIOR_DEPLOYMENT_NAME: "blue",
      PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION: 100,
      CURRENT_DEPLOYMENT_NAME: "green",
      CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: 0,
      MIRROR_TRAFFIC: 20,
    });
    const endpoint = plan(project(deploymentConfig({ managed: [], webApps: [], kubernetes: [entry] }))).kubernetesEndpoint!;
    assert.deepEqual(endpoint.traffic, { blue: 100, green: 0 });
    assert.deepEqual(endpoint.mirrorTraffic, { green: 20 });
    const live = configError(() =>
      plan(project(deploymentConfig({ managed: [], webApps: [], kubernetes: [{ ...entry, CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: 10, PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION: 90 }] }))),
    );
    assert.equal(live.jsonPath, "$.kubernetes_endpoint[0].MIRROR_TRAFFIC");
  });

  it("grants the Kubernetes endpoint's identity the template's roles under its own keys, beside the managed endpoint's", () => {
    const p = project(deploymentConfig({ webApps: [], kubernetes: [kubernetesEntry({ ROLE_ASSIGNMENTS: [{ ROLE: "AcrPull", SCOPE: "registry" }] })] }));
    const result = plan(p);
    assert.equal(result.endpoint?.name, "ticket-endpoint-dev");
    assert.equal(result.kubernetesEndpoint?.name, "ticket-aks-dev");
    const keys = result.roleAssignments.map((r) => `${r.principal} ${r.key}`);
    assert.deepEqual(keys, [
      "endpoint endpoint-azureml-data-scientist-workspace",
      "endpoint endpoint-azure-machine-learning-workspace-connection-secrets-reader-workspace",
      "endpoint endpoint-key-vault-secrets-user-key-vault",
      "kubernetesEndpoint kubernetes-endpoint-azureml-data-scientist-workspace",
      "kubernetesEndpoint kubernetes-endpoint-azure-machine-learning-workspace-connection-secrets-reader-workspace",
      "kubernetesEndpoint kubernetes-endpoint-key-vault-secrets-user-key-vault",
      "kubernetesEndpoint kubernetes-endpoint-acrpull-registry",
    ]);
  });

  it("leaves the defaults out when DEFAULT_ROLE_ASSIGNMENTS is false", () => {
    const p = project(deploymentConfig({ managed: [], webApps: [], kubernetes: [kubernetesEntry({ DEFAULT_ROLE_ASSIGNMENTS: false })] }));
    assert.deepEqual(plan(p).roleAssignments, []);
  });

  it("refuses a memory request without a unit and a CPU that is not a quantity, naming the key", () => {
    const memory = configError(() => plan(project(deploymentConfig({ managed: [], webApps: [], kubernetes: [kubernetesEntry({ MEMORY_ALLOCATION: "512" })] }))));
    assert.equal(memory.jsonPath, "$.kubernetes_endpoint[0].MEMORY_ALLOCATION");
    assert.match(memory.message, /with a unit/);
    const cpu = configError(() => plan(project(deploymentConfig({ managed: [], webApps: [], kubernetes: [kubernetesEntry({ CPU_ALLOCATION: "half" })] }))));
    assert.equal(cpu.jsonPath, "$.kubernetes_endpoint[0].CPU_ALLOCATION");
  });

  it("refuses an endpoint name used by a managed entry too, and two base images for the one image", () => {
    const clash = configError(() =>
      plan(project(deploymentConfig({ webApps: [], kubernetes: [kubernetesEntry({ ENDPOINT_NAME: "ticket-endpoint-prod" })] }))),
    );
    assert.equal(clash.jsonPath, "$.kubernetes_endpoint[0].ENDPOINT_NAME");
    assert.match(clash.message, /also at azure_managed_endpoint\[1\]/);
    const images = configError(() =>
      plan(
        project(
          deploymentConfig({
            managed: [managedEntry({ DEPLOYMENT_BASE_IMAGE_NAME: "mcr.microsoft.com/azureml/promptflow/promptflow-runtime:1" })],
            webApps: [],
            kubernetes: [kubernetesEntry({ DEPLOYMENT_BASE_IMAGE_NAME: "mcr.microsoft.com/azureml/promptflow/promptflow-runtime:2" })],
          }),
        ),
      ),
    );
    assert.equal(images.jsonPath, "$.kubernetes_endpoint[0].DEPLOYMENT_BASE_IMAGE_NAME");
  });

  it("checks every Kubernetes entry, not only the stack's: an A/B allocation that does not sum to 100 in prod", () => {
    const prod = kubernetesEntry({ ENV_NAME: "prod", ENDPOINT_NAME: "ticket-aks-prod", PRIOR_DEPLOYMENT_NAME: "blue", PRIOR_DEPLOYMENT_TRAFFIC_ALLOCATION: 80, CURRENT_DEPLOYMENT_NAME: "green", CURRENT_DEPLOYMENT_TRAFFIC_ALLOCATION: 10 });
    const error = configError(() => plan(project(deploymentConfig({ managed: [], webApps: [], kubernetes: [kubernetesEntry(), prod] }))));
    assert.match(error.jsonPath, /^\$\.kubernetes_endpoint\[1\]\./);
  });
});
