/** A temp copy of flows/ whose experiment.yaml each test rewrites, so every rule is tested on a real folder. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "yaml";

export const flowsDir = path.resolve(__dirname, "../../../flows");

export type ExperimentDoc = Record<string, unknown>;

export interface ExperimentFixture {
  dir: string;
  file: string;
  /** Rewrites experiment.yaml from the sample after `change` edits the parsed document. */
  write(change?: (doc: ExperimentDoc) => void): string;
  writeOverlay(env: string, doc: ExperimentDoc | string): string;
  remove(): void;
}

export function sampleExperiment(): ExperimentDoc {
  return yaml.parse(fs.readFileSync(path.join(flowsDir, "experiment.yaml"), "utf8")) as ExperimentDoc;
}

export function createExperimentFixture(): ExperimentFixture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-experiment-"));
  fs.cpSync(flowsDir, dir, { recursive: true });
  for (const name of fs.readdirSync(dir)) if (/^experiment\..+\.ya?ml$/.test(name)) fs.rmSync(path.join(dir, name));
  const file = path.join(dir, "experiment.yaml");
  return {
    dir,
    file,
    write(change) {
      const doc = sampleExperiment();
      change?.(doc);
      fs.writeFileSync(file, yaml.stringify(doc));
      return file;
    },
    writeOverlay(env, doc) {
      const overlay = path.join(dir, `experiment.${env}.yaml`);
      fs.writeFileSync(overlay, typeof doc === "string" ? doc : yaml.stringify(doc));
      return overlay;
    },
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Shorthand for digging into the parsed sample in a type-safe way. */
export function list(doc: ExperimentDoc, key: string): Record<string, unknown>[] {
  return doc[key] as Record<string, unknown>[];
}
