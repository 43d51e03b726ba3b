/**
 * Shared by the `llmops evaluate` end-to-end tests: the real CLI spawned (async, so the fake servers in the test
 * process keep answering), a deterministic ticket classifier for the fake OpenAI server whose two prompt variants
 * differ in quality, and deployments for the fake scoring server that answer with every output the flow declares.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "yaml";
import type { MetricsFile } from "../../../src/evaluation";
import type { FakeRequest } from "../../support/fakeOpenAiServer";
import type { DeploymentRule } from "../../support/fakeScoringServer";

export const root = path.resolve(__dirname, "../../..");
const cli = path.join(root, "src/cli/llmops.cjs");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string | undefined>, timeoutMs = 120_000): Promise<CliResult> {
  return runLlmops(["evaluate", ...args], env, { timeoutMs });
}

/** Any `llmops` command, with `stdin` written to it (then closed). */
export function runLlmops(args: string[], env: Record<string, string | undefined>, options: { timeoutMs?: number; stdin?: string } = {}): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, CI: "1", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`llmops ${args.join(" ")} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? "");
  });
}

/** Keyword rules good enough for every ticket of flows/data (checked by the accuracy the tests expect). */
const keywordRules: [RegExp, string][] = [
  [/\b(down|outage|503|502|nobody|everyone|anyone|all of us|all our|every customer|entire|unreachable|status page)\b/, "outage"],
  [/\b(invoice|bill|billed|charged|refund|payment|price|plan|discount|vat|factura)\b/, "billing"],
  [/\b(parcel|ship|delivered|delivery|tracking|shipment|courier|box|order|arrived|printer|return label)\b/, "shipping"],
  [/\b(log in|login|password|two-factor|account|access|sso|admin|ownership|locked|email address|anmeldung)\b/, "account"],
  [/\b(error|crash|crashes|fails|failing|freezes|empty|bug|slow|api|importing|sync|webhook|integration|search)\b/, "technical"],
];

export function classifyText(text: string): string {
  const ticket = text.toLowerCase();
  return keywordRules.find(([rule]) => rule.test(ticket))?.[1] ?? "other";
}

/**
 * The fake model: the few-shot variant (its prompt has assistant examples) classifies by keyword; the zero-shot
 * variant (the flow's default) confuses account tickets with billing ones, so the two variants differ measurably.
 */
export function variantClassifier(request: FakeRequest): string {
  const messages = (request.body.messages ?? []) as { role: string; content: string }[];
  const lastUser = [...messages].reverse().find((message) => message.role === "user")?.content ?? "";
  const category = classifyText(lastUser.replace(/^[\s\S]*?Ticket:\s*/, ""));
  const fewShot = messages.some((message) => message.role === "assistant");
  if (fewShot) return JSON.stringify({ category, confidence: 0.9 });
  return JSON.stringify({ category: category === "account" ? "billing" : category, confidence: 0.75 });
}

function outputsFor(category: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const tier = typeof inputs.customer_tier === "string" ? inputs.customer_tier : "standard";
  const priority = category === "outage" ? "P1" : tier === "enterprise" ? "P2" : "P3";
  return {
    category,
    confidence: 0.9,
    priority,
    sla_hours: priority === "P1" ? 1 : 24,
    reply: `Hello, we logged your request as TCK-0A1B2C3D in our ${category} queue.`,
    escalation: category === "outage" ? { notify: "on-call" } : null,
  };
}

/** A deployment serving the flow's outputs with keyword accuracy. */
export const accurateFlow: DeploymentRule = (inputs) => outputsFor(classifyText(String(inputs.ticket_text ?? "")), inputs);

/** A deployment that files account tickets under billing and shipping under other. */
export const degradedFlow: DeploymentRule = (inputs) => {
  const category = classifyText(String(inputs.ticket_text ?? ""));
  return outputsFor(category === "account" ? "billing" : category === "shipping" ? "other" : category, inputs);
};

/** A deployment that lost an output the flow declares: the smoke test must catch it. */
export const missingOutputFlow: DeploymentRule = (inputs) => {
  const { escalation: _dropped, ...rest } = outputsFor(classifyText(String(inputs.ticket_text ?? "")), inputs);
  return rest;
};

export interface WrittenRun {
  dir: string;
  metrics: MetricsFile;
  file(name: string): string;
}

/** The run `<out>/latest.json` points at, with its metrics.json parsed. */
export function latestRun(out: string): WrittenRun {
  const latest = JSON.parse(fs.readFileSync(path.join(out, "latest.json"), "utf8")) as { dir: string };
  const dir = path.join(out, latest.dir);
  return {
    dir,
    // parseMetricsFile reads a file as a baseline and drops its gate results; tests want them.
    metrics: JSON.parse(fs.readFileSync(path.join(dir, "metrics.json"), "utf8")) as MetricsFile,
    file: (name) => fs.readFileSync(path.join(dir, name), "utf8"),
  };
}

/** Every file under `dir`, recursively, as text (for "the secret appears nowhere" checks). */
export function allFiles(dir: string): { file: string; text: string }[] {
  const found: { file: string; text: string }[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...allFiles(full));
    else found.push({ file: full, text: fs.readFileSync(full, "utf8") });
  }
  return found;
}

export interface ExperimentChanges {
  gates?: string[];
  /** Rows appended to a copy of flows/data/eval.jsonl (e.g. an HTML-injection ticket). */
  extraEvalRows?: Record<string, unknown>[];
  /** Production gates instead of the sample's. */
  productionGates?: string[];
}

/**
 * A copy of flows/experiment.yaml in `dir` (paths made absolute, no environment overlays) with the given
 * changes, so a test controls its gates: the sample's latency gates would make results depend on machine speed.
 */
export function writeExperiment(dir: string, changes: ExperimentChanges = {}): string {
  const flows = path.join(root, "flows");
  const document = yaml.parse(fs.readFileSync(path.join(flows, "experiment.yaml"), "utf8")) as Record<string, unknown>;
  delete document.$schema;
  const absolute = (relative: string): string => path.join(flows, relative);
  document.flow = absolute(String(document.flow));
  const evalCopy = path.join(dir, "eval.jsonl");
  const evalRows = fs.readFileSync(path.join(flows, "data", "eval.jsonl"), "utf8").trimEnd();
  fs.writeFileSync(evalCopy, `${[evalRows, ...(changes.extraEvalRows ?? []).map((row) => JSON.stringify(row))].join("\n")}\n`);
  for (const dataset of document.datasets as { name: string; source: string }[]) {
    dataset.source = dataset.name === "ticket_eval" ? evalCopy : absolute(dataset.source);
  }
  for (const evaluator of document.evaluators as { flow?: string }[]) {
    if (evaluator.flow !== undefined) evaluator.flow = absolute(evaluator.flow);
  }
  const production = document.production as { flow: string; source: string; gates: string[] };
  production.flow = absolute(production.flow);
  production.source = absolute(production.source);
  if (changes.productionGates) production.gates = changes.productionGates;
  if (changes.gates) document.gates = changes.gates;
  const file = path.join(dir, "experiment.yaml");
  fs.writeFileSync(file, yaml.stringify(document));
  return file;
}
