import { escapeControlCharacters } from "../../core/controlCharacters";
import { defaultTextWidth, fittedTable, wrapParts } from "../textTable";
import type { OfflinePlanReport, RecordedResource } from "./types";
import { isRecord } from "../../core/values";

/** Inputs worth a glance per resource type (dotted paths into the inputs). */
const keyInputs: Record<string, string[]> = {
  "azure-native:machinelearningservices:OnlineEndpoint": ["endpointName", "properties.authMode", "identity.type", "properties.compute"],
  "azure-native:machinelearningservices:OnlineDeployment": [
    "properties.endpointComputeType",
    "properties.instanceType",
    "sku.capacity",
    "properties.containerResourceRequirements.containerResourceRequests.cpu",
    "properties.containerResourceRequirements.containerResourceRequests.memory",
    "properties.model",
    "properties.environmentId",
  ],
  "azure-native:machinelearningservices:ModelVersion": ["name", "version"],
  "azure-native:machinelearningservices:EnvironmentVersion": ["name", "version", "properties.image"],
  "azure-native:machinelearningservices:DataVersion": ["name", "version"],
  "azure-native:machinelearningservices:Compute": [
    "computeName",
    "properties.properties.vmSize",
    "properties.properties.vmPriority",
    "properties.properties.scaleSettings.maxNodeCount",
    "properties.properties.scaleSettings.nodeIdleTimeBeforeScaleDown",
  ],
  "azure-native:storage:Blob": ["source.file", "accountName"],
  "azure-native:authorization:RoleAssignment": ["roleDefinitionId", "scope", "principalType"],
  "azure-native:keyvault:AccessPolicy": ["vaultName", "policy.permissions.secrets"],
  "azure-native:monitor:AutoscaleSetting": ["profiles.0.capacity.minimum", "profiles.0.capacity.maximum", "targetResourceUri"],
  "azure-native:managedidentity:UserAssignedIdentity": ["resourceName"],
  "azure-native:web:AppServicePlan": ["name", "sku.name", "kind"],
  "azure-native:web:WebApp": ["name", "siteConfig.linuxFxVersion", "httpsOnly"],
  "docker:index/image:Image": ["imageName", "build.platform"],
  "pulumi-nodejs:dynamic/llmops:EndpointTraffic": ["traffic", "mirrorTraffic"],
};

export function valueAt(inputs: unknown, dottedPath: string): unknown {
  let current: unknown = inputs;
  for (const segment of dottedPath.split(".")) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** ARM IDs are long; their last two type/name pairs say what they point at. */
function shorten(value: string): string {
  if (!value.startsWith("/subscriptions/")) return value;
  const segments = value.split("/").filter((s) => s !== "");
  return `…/${segments.slice(-4).join("/")}`;
}

function display(value: unknown): string {
  if (typeof value === "string") return shorten(value);
  return JSON.stringify(value);
}

function shortType(type: string): string {
  return type.replace(/^azure-native:/, "").replace(/^pulumi-nodejs:dynamic\//, "").replace(/^docker:index\/image:/, "docker:");
}

function describeResourceParts(resource: RecordedResource): string[] {
  const parts = (keyInputs[resource.type] ?? [])
    .map((key) => [inputLabel(key), valueAt(resource.inputs, key)] as const)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${display(value)}`);
  const { options } = resource;
  if (options.ignoreChanges.length > 0) parts.push(`ignoreChanges=${options.ignoreChanges.join(",")}`);
  if (options.retainOnDelete) parts.push("retainOnDelete");
  if (options.dependsOn.length > 0) parts.push(`after=${options.dependsOn.length} resource(s)`);
  return parts;
}

const minimumWidth = 60;

const mockNote = "(mock) = a value the offline plan made up (principal IDs, image digests): Azure assigns the real one at `pulumi up`.";

/** Marks every mock-generated value inside `text`, so an offline ID or digest is never taken for a real one. */
function labelMocks(text: string, mockValues: readonly string[]): string {
  return mockValues.some((value) => text.includes(value)) ? `${text} (mock)` : text;
}

/**
 * The readable plan: every resource with its key inputs, then the traffic split, then the outputs, fitted to
 * `width` columns (the terminal's, or defaultTextWidth in a log). Text from the config is shown escaped.
 */
export function formatPlanReport(report: OfflinePlanReport, width = defaultTextWidth): string {
  const columns = Math.max(minimumWidth, width);
  const mocks = report.mockValues ?? [];
  const custom = report.resources.filter((resource) => resource.custom);
  const lines: string[] = [];
  const label = (text: string): string => escapeControlCharacters(labelMocks(text, mocks));
  lines.push(`Stack ${report.stack}: ${custom.length} resources in ${report.resources.length - custom.length} components`, "");
  const inputParts = new Map<string[], string[]>();
  const rows = report.resources.map((resource) => {
    const row = [shortType(resource.type), escapeControlCharacters(resource.name), ""];
    const parts = describeResourceParts(resource).map(label);
    if (resource.parent !== undefined) parts.push(`in ${escapeControlCharacters(resource.parent)}`);
    inputParts.set(row, parts);
    return row;
  });
  lines.push(fittedTable(["TYPE", "NAME", "KEY INPUTS"], rows, columns, (row) => inputParts.get(row) ?? []));

  // The managed endpoint's split is exported as `traffic`, the Kubernetes endpoint's as `kubernetesTraffic`.
  for (const prefix of ["", "kubernetes"]) {
    const key = (field: string): string => (prefix === "" ? field : `${prefix}${field[0].toUpperCase()}${field.slice(1)}`);
    const traffic = report.outputs[key("traffic")];
    if (!isPercentMap(traffic)) continue;
    const mirrorValue = report.outputs[key("mirrorTraffic")];
    const mirror = isPercentMap(mirrorValue) ? mirrorValue : {};
    const endpointName = String(report.outputs[key("endpointName")] ?? "");
    const roles = new Map(
      report.resources
        .filter((resource) => resource.type === "azure-native:machinelearningservices:OnlineDeployment" && valueAt(resource.inputs, "endpointName") === endpointName)
        .map((resource) => [String(valueAt(resource.inputs, "deploymentName")), resource]),
    );
    const trafficRows = [...new Set([...Object.keys(traffic), ...Object.keys(mirror)])].map((name) => {
      const deployment = roles.get(name);
      const role = deployment === undefined ? "" : String(valueAt(deployment.inputs, "tags.deployment-role") ?? "");
      const frozen = deployment?.options.ignoreChanges.includes("properties.model") === true;
      return [escapeControlCharacters(name), role, frozen ? "keeps its build" : "follows config", `${traffic[name] ?? 0}%`, `${mirror[name] ?? 0}%`];
    });
    lines.push("", `Traffic of ${prefix === "" ? "endpoint" : "Kubernetes endpoint"} ${escapeControlCharacters(endpointName)}`, "");
    lines.push(fittedTable(["DEPLOYMENT", "ROLE", "MODEL/IMAGE", "TRAFFIC", "MIRROR"], trafficRows, columns, (row) => [row[4]]));
  }

  lines.push("", "Outputs", "");
  const outputRows = Object.entries(report.outputs).map(([name, value]) => [name, label(typeof value === "string" ? value : JSON.stringify(value))]);
  lines.push(fittedTable(["NAME", "VALUE"], outputRows, columns, (row) => [row[1]]));
  if (report.notices.length > 0) lines.push("", ...report.notices.flatMap((notice) => wrapParts(escapeControlCharacters(`note: ${notice}`).split(" "), columns, " ")));
  if (lines.some((line) => line.includes("(mock)"))) lines.push("", ...wrapParts(mockNote.split(" "), columns, " "));
  return lines.join("\n");
}

function isPercentMap(value: unknown): value is Record<string, number> {
  return isRecord(value) && Object.values(value).every((v) => typeof v === "number");
}

/** `properties.instanceType` → `instanceType`, `profiles.0.capacity.minimum` → `capacity.minimum`. */
function inputLabel(dottedPath: string): string {
  const segments = dottedPath.split(".").filter((segment) => !/^\d+$/.test(segment) && segment !== "properties" && segment !== "profiles");
  return segments.slice(-2).join(".");
}
