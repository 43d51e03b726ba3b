/**
 * Seeded fuzz of the three files a pull request can change before `llmops plan` runs in CI: deployment_config.json,
 * Pulumi.<stack>.yaml and experiment.yaml. Each mutation goes through the real loaders in-process (the stack file
 * reader, the stack settings, the deployment config, the experiment and the plan builder) and must end as a plan
 * or as a one-line refusal naming the file and the JSON path: never a stack trace, a TypeError or a hang.
 * The seed is fixed so a failure reproduces; LLMOPS_FUZZ_SEED and LLMOPS_FUZZ_CASES explore further.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { ConfigError, UserError } from "../../src/core/userError";
import { parseYaml } from "../../src/core/yaml";
import { planStackFile } from "../../src/plan/load/planSources";
import { deploymentConfig, managedEntry, projectsRemovedAfterSuite, webAppEntry, type Project } from "../plan/fixtures";

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const hostileValues: Json[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e11,
  1e23,
  2 ** 53 + 1,
  "999999999999999999999999",
  "",
  " ",
  "0",
  "100",
  "abc",
  "x".repeat(5000),
  "../../etc/hostname",
  "/etc/passwd",
  "/dev/zero",
  "line one\nline two",
  "\u001b[31mred\u001b[0m",
  "\u202Eevil",
  "nul\u0000byte",
  "sk-proj-abcdefghijklmnop0123456789",
  "https://user:hunter22@host.example.com/?api-key=0123456789abcdef",
  "@Microsoft.KeyVault(SecretUri=x)sk-live-abcdefghijklmnop",
  "${NOT_SET_ANYWHERE}",
  "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/../../x",
  [],
  ["a", 1],
  {},
  { secure: "v1:CIPHER" },
  { nested: { deeper: [1, 2, 3] } },
];

const hostileKeys = ["__proto__", "constructor", "DEPLOYMENT_VM_SIZ", "llmops:workspacename", "AOAI_API_BASE", "LLMOPS_CONNECTIONS", "DB_PWD", "", "\u001b]0;title\u0007", "a".repeat(600)];

interface Located {
  parent: Record<string, Json> | Json[];
  key: string | number;
}

/** Every (container, key) pair in the document, to pick a mutation site from. */
function sites(value: Json, found: Located[] = []): Located[] {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      found.push({ parent: value, key: index });
      sites(item, found);
    });
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      found.push({ parent: value, key });
      sites(item, found);
    }
  }
  return found;
}

function containers(value: Json, found: (Record<string, Json> | Json[])[] = []): (Record<string, Json> | Json[])[] {
  if (Array.isArray(value)) {
    found.push(value);
    value.forEach((item) => containers(item, found));
  } else if (value !== null && typeof value === "object") {
    found.push(value);
    Object.values(value).forEach((item) => containers(item, found));
  }
  return found;
}

function pick<T>(next: () => number, list: readonly T[]): T {
  return list[Math.floor(next() * list.length)];
}

/** One to three structural mutations: replace a value, delete a key, add a key, or rename a key with a typo. */
function mutate(document: Json, next: () => number): Json {
  const copy = structuredClone(document);
  const count = 1 + Math.floor(next() * 3);
  for (let i = 0; i < count; i++) {
    const kind = next();
    const all = sites(copy);
    if (all.length === 0) return copy;
    const site = pick(next, all);
    const parent = site.parent as Record<string | number, Json>;
    if (kind < 0.5) {
      parent[site.key] = structuredClone(pick(next, hostileValues));
    } else if (kind < 0.65) {
      if (Array.isArray(site.parent)) site.parent.splice(Number(site.key), 1);
      else delete parent[site.key];
    } else if (kind < 0.85) {
      const target = pick(next, containers(copy));
      const key = pick(next, hostileKeys);
      if (Array.isArray(target)) target.push(structuredClone(pick(next, hostileValues)));
      else Object.defineProperty(target, key, { value: structuredClone(pick(next, hostileValues)), enumerable: true, writable: true, configurable: true });
    } else if (!Array.isArray(site.parent) && typeof site.key === "string" && site.key.length > 1) {
      const value = parent[site.key]!;
      delete parent[site.key];
      parent[site.key.slice(0, -1)] = value;
    }
  }
  return copy;
}

/** Text-level damage YAML and JSON parsers must survive: truncation, an alias bomb, a recursive alias, deep nesting. */
function damageText(text: string, next: () => number, yamlText: boolean): string {
  const kind = next();
  if (kind < 0.3) return text.slice(0, Math.floor(next() * text.length));
  if (!yamlText) return kind < 0.6 ? `${text}}` : `${"[".repeat(5000)}${text}`;
  if (kind < 0.5) return `${text}\nbomb0: &b0 [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 10 }, (_, i) => `bomb${i + 1}: &b${i + 1} [${Array(10).fill(`*b${i}`).join(", ")}]`).join("\n")}\n`;
  if (kind < 0.7) return `${text}\nloop: &loop\n  self: *loop\n`;
  if (kind < 0.85) return `${text}\ndeep: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`;
  return `${text}\n\tbad: tab\n`;
}

const stackDocument = (): Json => ({
  config: {
    "llmops:environment": "dev",
    "llmops:subscriptionId": "00000000-1111-2222-3333-444444444444",
    "llmops:location": "westeurope",
    "llmops:resourceGroupName": "rg-llmops-dev",
    "llmops:workspaceName": "mlw-llmops-dev",
    "llmops:keyVault": { name: "kv-llmops-dev", authorization: "rbac" },
    "llmops:containerRegistry": { name: "crllmopsdev" },
    "llmops:flowPath": "flows/classifier",
    "llmops:tags": { team: "ml" },
    "llmops:datasets": ["flows/data/bulk.jsonl"],
  },
});

type Outcome = "planned" | "refused";

/** Reads the project the way `llmops plan` does and builds the plan; the outcome or the unexpected error. */
function planProject(project: Project): Outcome {
  planStackFile(project.root, "dev", { environmentVariables: { AOAI_API_BASE: "https://aoai-test.openai.azure.com/" } });
  return "planned";
}

const files = ["config/deployment_config.json", "Pulumi.dev.yaml", "flows/experiment.yaml"] as const;

describe("fuzz: hostile stack files, deployment configs and experiments end as a plan or a one-line refusal", function () {
  this.timeout(120_000);
  const project = projectsRemovedAfterSuite();
  const seed = Number(process.env.LLMOPS_FUZZ_SEED ?? 20261204);
  const cases = Number(process.env.LLMOPS_FUZZ_CASES ?? 360);

  it(`${cases} seeded mutations (seed ${seed})`, () => {
    const next = random(seed);
    const p = project(deploymentConfig({ managed: [managedEntry(), managedEntry({ ENV_NAME: "prod", ENDPOINT_NAME: "ticket-endpoint-prod" })], webApps: [webAppEntry()] }));
    p.writeFile("Pulumi.dev.yaml", stringify(stackDocument()));
    const pristine = Object.fromEntries(files.map((file) => [file, fs.readFileSync(path.join(p.root, file), "utf8")]));
    const tally = { tried: 0, planned: 0, refused: 0 };
    const problems: string[] = [];
    for (let i = 0; i < cases; i++) {
      for (const file of files) fs.writeFileSync(path.join(p.root, file), pristine[file]);
      const file = files[i % files.length];
      const yamlFile = file.endsWith(".yaml");
      const original = yamlFile ? (parseYaml(pristine[file], file) as Json) : (JSON.parse(pristine[file]) as Json);
      const textDamage = next() < 0.12;
      const mutated = textDamage ? damageText(pristine[file], next, yamlFile) : yamlFile ? stringify(mutate(original, next)) : JSON.stringify(mutate(original, next));
      fs.writeFileSync(path.join(p.root, file), mutated);
      tally.tried++;
      const started = Date.now();
      try {
        planProject(p);
        tally.planned++;
      } catch (err) {
        const where = `case ${i} (${file}${textDamage ? ", text damage" : ""})`;
        if (!(err instanceof UserError)) {
          problems.push(`${where}: ${err instanceof Error ? `${err.name}: ${err.message.split("\n")[0]}` : String(err)}`);
          continue;
        }
        if (err.message.includes("\n")) problems.push(`${where}: a refusal of more than one line: ${JSON.stringify(err.message)}`);
        if (err instanceof ConfigError) {
          if (!/^\$/.test(err.jsonPath)) problems.push(`${where}: no JSON path in ${JSON.stringify(err.message)}`);
          if (!files.some((name) => err.file.endsWith(name) || err.file === path.basename(name)) && err.file !== "--config") {
            problems.push(`${where}: refusal names ${JSON.stringify(err.file)}, not the mutated file set`);
          }
        } else if (!files.some((name) => err.message.includes(path.basename(name)))) {
          problems.push(`${where}: refusal names no file: ${JSON.stringify(err.message)}`);
        }
        if (/\n\s+at /.test(err.message)) problems.push(`${where}: a stack trace in the message`);
        tally.refused++;
      }
      if (Date.now() - started > 5_000) problems.push(`case ${i} (${file}): took ${Date.now() - started} ms`);
    }
    // The figures the issue asks for, printed with the test run (and recorded in the notes).
    console.log(`      fuzz figures: tried ${tally.tried}, refused cleanly ${tally.refused - problems.length}, planned ${tally.planned}`);
    assert.deepEqual(problems, []);
    assert.ok(tally.planned > 0 && tally.refused > 0, "the mutations cover both outcomes");
  });
});
