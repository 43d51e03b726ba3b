/**
 * The one reader of a flow folder: what kind of flow a path is (a DAG `flow.dag.yaml`/`.yml`, a flex
 * `flow.flex.yaml`/`.yml`, a `.prompty` file or a folder holding exactly one), the files it consists of, its
 * interface (inputs with types and defaults, outputs, init arguments, chat roles, connections) and what must be
 * checked before it runs. Used by the plan (which files ship), the experiment loader (mapping checks), the engine
 * and serving (swagger, chat). Reading a flex entry's signature parses its Python source with `ast`; nothing runs.
 */
import { spawnSync } from "node:child_process";
import { sha256Hex } from "../core/sha256";
import * as fs from "node:fs";
import * as path from "node:path";
import { readYamlFile } from "../core/files";
import { isRecord } from "../core/values";
import { ConfigError, UserError } from "../core/userError";
import { readPromptyFile } from "./promptyFile";
import type { Environment } from "../llm/connections";
import { pythonChildEnvironment, pythonExecutableOf } from "./pythonProcess";
import type { FlowFolderFile, FlowKind } from "./types";

export interface FlowLocation {
  kind: FlowKind;
  /** Absolute folder of the flow (a prompty file's folder). */
  dir: string;
  /** Absolute path of the definition file: flow.dag.yaml, flow.flex.yaml or the .prompty file. */
  file: string;
}

const definitionFiles: Record<Exclude<FlowKind, "prompty">, readonly string[]> = {
  dag: ["flow.dag.yaml", "flow.dag.yml"],
  flex: ["flow.flex.yaml", "flow.flex.yml"],
};

function kindOfFileName(name: string): FlowKind | undefined {
  if (name.toLowerCase().endsWith(".prompty")) return "prompty";
  if (definitionFiles.dag.includes(name)) return "dag";
  if (definitionFiles.flex.includes(name)) return "flex";
  return undefined;
}

/**
 * Says what flow `target` is. A folder must hold exactly one definition: flow.dag.*, flow.flex.* or a single
 * .prompty file. `referencedFrom` (a file and JSON path, or an option) prefixes the error.
 */
export function locateFlow(target: string, referencedFrom: string): FlowLocation {
  const absolute = path.resolve(target);
  if (!fs.existsSync(absolute)) throw new UserError(`${referencedFrom}: flow ${absolute} not found`);
  if (fs.statSync(absolute).isFile()) {
    const kind = kindOfFileName(path.basename(absolute));
    if (!kind) {
      throw new UserError(`${referencedFrom}: ${absolute} is not a flow (expected a folder, flow.dag.yaml, flow.flex.yaml or a .prompty file)`);
    }
    return { kind, dir: path.dirname(absolute), file: absolute };
  }
  const names = fs.readdirSync(absolute);
  const definitions = [...definitionFiles.dag, ...definitionFiles.flex].filter((name) => names.includes(name));
  if (definitions.length > 1) throw new UserError(`${referencedFrom}: flow folder ${absolute} holds ${definitions.join(" and ")}; keep one`);
  if (definitions.length === 1) {
    const name = definitions[0];
    return { kind: kindOfFileName(name)!, dir: absolute, file: path.join(absolute, name) };
  }
  const prompties = names.filter((name) => name.toLowerCase().endsWith(".prompty")).sort();
  if (prompties.length === 1) return { kind: "prompty", dir: absolute, file: path.join(absolute, prompties[0]) };
  const found = prompties.length > 1 ? `several .prompty files (${prompties.join(", ")}): name the one to run` : "none";
  throw new UserError(`${referencedFrom}: flow folder ${absolute} has no flow.dag.yaml, flow.flex.yaml or single .prompty file (found ${found})`);
}

// ---------------------------------------------------------------------------------------------------------------
// Files

/** Folders and files that are local by-products of running a flow, not part of it. */
const skippedDirectories = new Set(["__pycache__", ".promptflow", ".runs", ".git"]);
const skippedFile = (name: string): boolean => name.endsWith(".pyc");

function listFlowFiles(sourceDir: string): { relativePath: string; absolutePath: string }[] {
  const files: { relativePath: string; absolutePath: string }[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const absolutePath = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!skippedDirectories.has(entry.name)) walk(absolutePath);
      } else if (entry.isFile() && !skippedFile(entry.name)) {
        files.push({ relativePath: path.relative(sourceDir, absolutePath).split(path.sep).join("/"), absolutePath });
      }
    }
  };
  walk(sourceDir);
  return files.sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
}

/** Every file of the flow folder with its sha256, sorted by POSIX relative path. */
export function readFlowFiles(sourceDir: string): FlowFolderFile[] {
  return listFlowFiles(sourceDir).map((file) => ({
    ...file,
    sha256: sha256Hex(fs.readFileSync(file.absolutePath)),
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Interface

export interface FlowPortSpec {
  name: string;
  /** Prompt flow's type name (string, int, double, bool, list, object, chat_history) or a Python annotation. */
  type: string;
  /** Absent when there is no usable default: the value is then required. */
  default?: unknown;
  required: boolean;
  description?: string;
}

export interface FlowInputSpec extends FlowPortSpec {
  isChatInput: boolean;
  isChatHistory: boolean;
}

export interface FlowOutputSpec {
  name: string;
  type?: string;
  isChatOutput: boolean;
}

export interface FlexEntry {
  /** `module:Name` as written. */
  entry: string;
  /** The Python file defining it. */
  file: string;
  kind: "function" | "class";
  isAsync: boolean;
  hasAggregate: boolean;
  /** `init.json` beside the flow (the template passes it as the run's init). */
  initFromFile: Record<string, unknown>;
  /** The yaml's `sample:` (`${file:...}` resolved): its init when none is given, its inputs for an empty line. */
  sample: { inputs?: Record<string, unknown>; init?: Record<string, unknown> };
  /** The yaml's `environment_variables`, set for the entry's code. */
  environmentVariables: Record<string, string>;
}

export interface FlowInterface extends FlowLocation {
  inputs: FlowInputSpec[];
  outputs: FlowOutputSpec[];
  /**
   * False when the outputs are whatever the code returns (a flex entry without declared outputs or a typed
   * return): mappings to `${run.outputs.x}` can then not be checked before running.
   */
  outputsDeclared: boolean;
  /** A class entry's init arguments (flex only). */
  init: FlowPortSpec[];
  /** Init values from the flow's own files: yaml `init:` defaults, then `init.json` beside the flow. */
  initValues: Record<string, unknown>;
  /** Present for chat flows: the chat input, history and output names. */
  chat?: { input: string; history?: string; output?: string };
  /** Connection name → where it is used (`node`, `node.variant`, `init.model_config`, `model.configuration`). */
  connections: Record<string, string>;
  flex?: FlexEntry;
}

export const inputNames = (flow: Pick<FlowInterface, "inputs">): string[] => flow.inputs.map((input) => input.name);
export const outputNames = (flow: Pick<FlowInterface, "outputs">): string[] => flow.outputs.map((output) => output.name);

/** `inputs:` of a flow.dag.yaml / flow.flex.yaml / prompty front matter. `emptyIsUnset`: flex treats `default: ''` as none. */
function inputSpecsOf(raw: unknown, options: { emptyIsUnset: boolean }): FlowInputSpec[] {
  if (!isRecord(raw)) return [];
  return Object.entries(raw).map(([name, spec]) => {
    const body = isRecord(spec) ? spec : { default: spec };
    const type = typeof body.type === "string" ? body.type : "string";
    const rawDefault = body.default;
    const hasDefault = rawDefault !== undefined && rawDefault !== null && !(options.emptyIsUnset && rawDefault === "");
    const input: FlowInputSpec = {
      name,
      type,
      required: !hasDefault,
      isChatInput: body.is_chat_input === true,
      isChatHistory: body.is_chat_history === true || type === "chat_history",
    };
    if (hasDefault) input.default = rawDefault;
    if (typeof body.description === "string") input.description = body.description;
    return input;
  });
}

function outputSpecsOf(raw: unknown): FlowOutputSpec[] {
  if (!isRecord(raw)) return [];
  return Object.entries(raw).map(([name, spec]) => {
    const body = isRecord(spec) ? spec : {};
    const output: FlowOutputSpec = { name, isChatOutput: body.is_chat_output === true };
    if (typeof body.type === "string") output.type = body.type;
    return output;
  });
}

/**
 * Chat roles: the input marked `is_chat_input` makes a chat flow; without marks, a flow with a `chat_history`
 * input and exactly one other string input is one too (the template's flex chat flows). Its history is the input
 * marked `is_chat_history` (or typed chat_history, or named chat_history), its output the one marked
 * `is_chat_output` or the only output.
 */
function chatOf(inputs: FlowInputSpec[], outputs: FlowOutputSpec[]): FlowInterface["chat"] {
  const history = inputs.find((i) => i.isChatHistory) ?? inputs.find((i) => i.name === "chat_history");
  const others = inputs.filter((i) => i !== history && i.type === "string");
  const input = inputs.find((i) => i.isChatInput) ?? (history && others.length === 1 && inputs.length === 2 ? others[0] : undefined);
  if (!input) return undefined;
  const output = outputs.find((o) => o.isChatOutput) ?? (outputs.length === 1 ? outputs[0] : undefined);
  return { input: input.name, ...(history ? { history: history.name } : {}), ...(output ? { output: output.name } : {}) };
}

/** A node's `connection:`, or the literal `connection` input package tools (embedding) take. */
function collectNodeConnection(node: unknown, label: string, into: Record<string, string>): void {
  if (!isRecord(node)) return;
  const packaged = isRecord(node.source) && node.source.type === "package" && isRecord(node.inputs) ? node.inputs.connection : undefined;
  const name = typeof node.connection === "string" ? node.connection : typeof packaged === "string" ? packaged : undefined;
  if (name) into[name] ??= label;
}

/** Pure: the interface of a parsed flow.dag.yaml document. */
export function dagInterfaceOf(location: FlowLocation, document: unknown): FlowInterface {
  if (!isRecord(document)) throw new ConfigError(location.file, "$", "a flow definition (a mapping)", "something else");
  const inputs = inputSpecsOf(document.inputs, { emptyIsUnset: false });
  const outputs = outputSpecsOf(document.outputs);
  const connections: Record<string, string> = {};
  for (const node of Array.isArray(document.nodes) ? document.nodes : []) {
    if (isRecord(node)) collectNodeConnection(node, String(node.name), connections);
  }
  if (isRecord(document.node_variants)) {
    for (const [nodeName, variants] of Object.entries(document.node_variants)) {
      if (!isRecord(variants) || !isRecord(variants.variants)) continue;
      for (const [variantId, variant] of Object.entries(variants.variants)) {
        if (isRecord(variant)) collectNodeConnection(variant.node, `${nodeName}.${variantId}`, connections);
      }
    }
  }
  const chat = chatOf(inputs, outputs);
  return { ...location, inputs, outputs, outputsDeclared: true, init: [], initValues: {}, connections, ...(chat ? { chat } : {}) };
}

/** The connection a model configuration value names (`{connection: name, ...}`), if any. */
export function modelConfigurationConnection(value: unknown): string | undefined {
  return isRecord(value) && typeof value.connection === "string" && value.connection !== "" ? value.connection : undefined;
}

/** What entry_signature.py reports for a flex entry. */
export interface EntrySignature {
  file: string;
  kind: "function" | "class";
  isAsync: boolean;
  hasAggregate: boolean;
  inputs: { name: string; annotation: string | null; hasDefault: boolean; default?: unknown }[];
  init: { name: string; annotation: string | null; hasDefault: boolean; default?: unknown }[];
  /** Output names a typed return gives; null when the code decides. */
  outputs: string[] | null;
}

const annotationTypes: Record<string, string> = { str: "string", int: "int", float: "double", bool: "bool", list: "list", dict: "object" };

function portFromParameter(parameter: EntrySignature["inputs"][number]): FlowPortSpec {
  const annotation = parameter.annotation ?? "";
  const base = annotation.replace(/^typing\./, "").split("[")[0];
  const port: FlowPortSpec = { name: parameter.name, type: annotationTypes[base] ?? (annotation || "object"), required: !parameter.hasDefault };
  if (parameter.hasDefault && parameter.default !== null && parameter.default !== undefined) port.default = parameter.default;
  return port;
}

/**
 * Pure: the interface of a flex flow from its yaml, its `init.json` (or undefined) and its entry's signature.
 * Declared yaml inputs/init win over the signature (prompt flow uses the yaml when it has them).
 */
export function flexInterfaceOf(
  location: FlowLocation,
  document: unknown,
  initJson: unknown,
  signature: EntrySignature,
): FlowInterface {
  if (!isRecord(document)) throw new ConfigError(location.file, "$", "a flex flow definition (a mapping with entry:)", "something else");
  const entry = String(document.entry);
  const sample = isRecord(document.sample) ? document.sample : {};
  const declaredInputs = inputSpecsOf(document.inputs, { emptyIsUnset: true });
  const inputs: FlowInputSpec[] = signature.inputs.map((parameter) => {
    const declared = declaredInputs.find((i) => i.name === parameter.name);
    if (declared) return { ...declared, required: declared.required && !parameter.hasDefault };
    return { ...portFromParameter(parameter), isChatInput: false, isChatHistory: false };
  });
  const declaredOutputs = outputSpecsOf(document.outputs);
  const outputs = declaredOutputs.length > 0 ? declaredOutputs : (signature.outputs ?? []).map((name) => ({ name, isChatOutput: false }));
  const declaredInit = inputSpecsOf(document.init, { emptyIsUnset: true });
  const init: FlowPortSpec[] = signature.init.map((parameter) => {
    const declared = declaredInit.find((i) => i.name === parameter.name);
    const port = portFromParameter(parameter);
    return declared ? { ...port, ...(declared.default !== undefined ? { default: declared.default } : {}), required: declared.required && port.required } : port;
  });
  const initValues: Record<string, unknown> = {};
  for (const port of declaredInit) if (port.default !== undefined) initValues[port.name] = port.default;
  if (isRecord(initJson)) Object.assign(initValues, initJson);
  const connections: Record<string, string> = {};
  for (const [name, value] of Object.entries(initValues)) {
    const connection = modelConfigurationConnection(value) ?? (typeof value === "string" && /Connection$/.test(init.find((p) => p.name === name)?.type ?? "") ? value : undefined);
    if (connection) connections[connection] ??= `init.${name}`;
  }
  const chat = chatOf(inputs, outputs);
  return {
    ...location,
    inputs,
    outputs,
    outputsDeclared: declaredOutputs.length > 0 || signature.outputs !== null,
    init,
    initValues,
    connections,
    flex: {
      entry,
      file: signature.file,
      kind: signature.kind,
      isAsync: signature.isAsync,
      hasAggregate: signature.hasAggregate,
      initFromFile: isRecord(initJson) ? initJson : {},
      sample: {
        ...(isRecord(sample.inputs) ? { inputs: sample.inputs } : {}),
        ...(isRecord(sample.init) ? { init: sample.init } : {}),
      },
      environmentVariables: Object.fromEntries(Object.entries(isRecord(document.environment_variables) ? document.environment_variables : {}).map(([k, v]) => [k, String(v)])),
    },
    ...(chat ? { chat } : {}),
  };
}

/** Pure: the interface of a prompty file from its front matter. A prompty's output is `output` unless it declares outputs. */
export function promptyInterfaceOf(location: FlowLocation, frontMatter: Record<string, unknown>): FlowInterface {
  // Without `inputs:`, the sample's keys are the signature (prompt flow's sample_as_input_signature).
  const inputs = isRecord(frontMatter.inputs) || !isRecord(frontMatter.sample)
    ? inputSpecsOf(frontMatter.inputs, { emptyIsUnset: false })
    : Object.entries(frontMatter.sample).map(([name, value]): FlowInputSpec => ({
        name,
        type: Array.isArray(value) ? "list" : isRecord(value) ? "object" : "string",
        required: false,
        isChatInput: false,
        isChatHistory: name === "chat_history",
      }));
  const declaredOutputs = outputSpecsOf(frontMatter.outputs);
  const outputs = declaredOutputs.length > 0 ? declaredOutputs : [{ name: "output", isChatOutput: false }];
  const model = isRecord(frontMatter.model) ? frontMatter.model : {};
  const connections: Record<string, string> = {};
  const connection = modelConfigurationConnection(model.configuration);
  if (connection) connections[connection] = "model.configuration";
  const chat = chatOf(inputs, outputs);
  return { ...location, inputs, outputs, outputsDeclared: true, init: [], initValues: {}, connections, ...(chat ? { chat } : {}) };
}

const ENTRY_SIGNATURE_SCRIPT = path.join(__dirname, "python", "entry_signature.py");

/**
 * Reads a flex entry's signature from its source (the environment's Python parses it with `ast`; nothing is
 * imported).
 */
function readEntrySignature(dir: string, entry: string, file: string, environment: Environment): EntrySignature {
  const pythonExecutable = pythonExecutableOf(environment);
  const result = spawnSync(pythonExecutable, [ENTRY_SIGNATURE_SCRIPT, dir, entry], { encoding: "utf8", env: pythonChildEnvironment(environment) });
  if (result.error) throw new UserError(`${file}: cannot read entry '${entry}': could not run '${pythonExecutable}' (${result.error.message})`);
  let report: Record<string, unknown>;
  try {
    report = JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    throw new UserError(`${file}: cannot read entry '${entry}': ${result.stderr.trim() || "no answer from python3"}`);
  }
  if (report.ok !== true) throw new ConfigError(file, "$.entry", "a <module>:<function or class> defined in the flow folder", `'${entry}' (${String(report.message)})`);
  type RawParameter = { name: string; annotation: string | null; has_default: boolean; default?: unknown };
  const parameters = (raw: unknown): EntrySignature["inputs"] =>
    (Array.isArray(raw) ? (raw as RawParameter[]) : []).map((p) => ({ name: p.name, annotation: p.annotation, hasDefault: p.has_default, ...("default" in p ? { default: p.default } : {}) }));
  return {
    file: String(report.file),
    kind: report.kind === "class" ? "class" : "function",
    isAsync: report.is_async === true,
    hasAggregate: report.has_aggregate === true,
    inputs: parameters(report.inputs),
    init: parameters(report.init),
    outputs: Array.isArray(report.outputs) ? (report.outputs as string[]) : null,
  };
}

/** A flex entry's signature as far as the yaml declares it (when the Python source is not read). */
function declaredSignature(document: unknown, file: string): EntrySignature {
  const declared = (raw: unknown): EntrySignature["inputs"] =>
    inputSpecsOf(raw, { emptyIsUnset: true }).map((p) => ({ name: p.name, annotation: null, hasDefault: !p.required, ...(p.default !== undefined ? { default: p.default } : {}) }));
  const body = isRecord(document) ? document : {};
  return { file, kind: isRecord(body.init) ? "class" : "function", isAsync: false, hasAggregate: false, inputs: declared(body.inputs), init: declared(body.init), outputs: null };
}

/**
 * How a flex entry's signature is known: read from its Python source by the interpreter of `environment` (the
 * caller's environment: `PYTHON`, PATH), or, with `entrySignature: false`, only what flow.flex.yaml declares,
 * without running Python: enough for the plan, which only needs the chat roles.
 */
export type ReadFlowInterfaceOptions = { environment: Environment } | { entrySignature: false };

/** `${file:./x.json}` values (prompt flow's sample references), read relative to the flow folder, at any depth. */
export function resolveFileReferences(value: unknown, dir: string, file: string): unknown {
  if (typeof value === "string") {
    const match = /^\$\{file:(.+)\}$/.exec(value.trim());
    if (!match) return value;
    const referenced = path.resolve(dir, match[1]);
    if (!fs.existsSync(referenced)) throw new ConfigError(file, "$.sample", `an existing file for ${value}`, `${referenced} (not found)`);
    return referenced.endsWith(".json") ? (JSON.parse(fs.readFileSync(referenced, "utf8")) as unknown) : readYamlFile(referenced);
  }
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveFileReferences(v, dir, file)]));
  return value;
}

/** Reads what kind of flow `target` is and its interface. `referencedFrom` says where it was named, for errors. */
export function readFlowInterface(target: string, referencedFrom: string, options: ReadFlowInterfaceOptions): FlowInterface {
  const location = locateFlow(target, referencedFrom);
  switch (location.kind) {
    case "dag":
      return dagInterfaceOf(location, readYamlFile(location.file));
    case "prompty": {
      const { frontMatter } = readPromptyFile(location.file);
      return promptyInterfaceOf(location, { ...frontMatter, sample: resolveFileReferences(frontMatter.sample, location.dir, location.file) });
    }
    case "flex": {
      const document = readYamlFile(location.file);
      const entry = isRecord(document) ? document.entry : undefined;
      if (typeof entry !== "string" || entry === "") throw new ConfigError(location.file, "$.entry", "<module>:<function or class>", entry === undefined ? "nothing" : JSON.stringify(entry));
      const initFile = path.join(location.dir, "init.json");
      let initJson: unknown;
      if (fs.existsSync(initFile)) {
        try {
          initJson = JSON.parse(fs.readFileSync(initFile, "utf8"));
        } catch (err) {
          throw new ConfigError(initFile, "$", "valid JSON (the flow's init arguments)", err instanceof Error ? err.message : String(err));
        }
      }
      if (isRecord(document)) document.sample = resolveFileReferences(document.sample, location.dir, location.file);
      const signature = "environment" in options ? readEntrySignature(location.dir, entry, location.file, options.environment) : declaredSignature(document, location.file);
      return flexInterfaceOf(location, document, initJson, signature);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// What to check before running

export interface FlowChecks {
  kind: FlowKind;
  /** Jinja templates the flow renders: DAG prompt/llm node sources (every variant) and prompty bodies. */
  templates: { file: string; kind: "jinja2" | "prompty" }[];
  /** Python files of the flow folder (tools, flex entries and their helpers). */
  pythonFiles: string[];
  /** Connection name → where it is used. */
  connections: Record<string, string>;
}

/**
 * What a preflight must check before the first model call, for any flow kind: every template and prompty body
 * parses, every Python file compiles, every connection exists. Reads only the folder listing and the definition.
 */
export function flowChecksOf(flow: FlowInterface): FlowChecks {
  const files = listFlowFiles(flow.dir).map((f) => f.absolutePath);
  const prompties = files.filter((file) => file.toLowerCase().endsWith(".prompty"));
  const templates: FlowChecks["templates"] = prompties.map((file) => ({ file, kind: "prompty" }));
  if (flow.kind === "prompty" && !prompties.includes(flow.file)) templates.push({ file: flow.file, kind: "prompty" });
  if (flow.kind === "dag") {
    const document = readYamlFile(flow.file);
    const sources = new Set<string>();
    const collect = (node: unknown): void => {
      if (!isRecord(node) || (node.type !== "llm" && node.type !== "prompt")) return;
      const source = isRecord(node.source) ? node.source : {};
      if (source.type === "code" && typeof source.path === "string") sources.add(path.resolve(flow.dir, source.path));
    };
    if (isRecord(document)) {
      for (const node of Array.isArray(document.nodes) ? document.nodes : []) collect(node);
      for (const variants of isRecord(document.node_variants) ? Object.values(document.node_variants) : []) {
        for (const variant of isRecord(variants) && isRecord(variants.variants) ? Object.values(variants.variants) : []) {
          if (isRecord(variant)) collect(variant.node);
        }
      }
    }
    for (const file of [...sources].sort()) templates.push({ file, kind: "jinja2" });
  }
  return { kind: flow.kind, templates, pythonFiles: files.filter((file) => file.endsWith(".py")), connections: { ...flow.connections } };
}
