import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { ConfigError, UserError } from "../core/userError";
import { parseFlow } from "./parseFlow";
import type { Flow } from "./types";
import { validateFlow } from "./validateFlow";
import { resolveVariants } from "./variants";

export interface LoadFlowOptions {
  /** File name inside the folder; default `flow.dag.yaml` (then `flow.dag.yml`). */
  fileName?: string;
}

function flowFile(dir: string, fileName: string | undefined): string {
  const candidates = fileName ? [fileName] : ["flow.dag.yaml", "flow.dag.yml"];
  for (const name of candidates) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return file;
  }
  throw new UserError(`${dir}: no ${candidates.join(" or ")} in the flow folder`);
}

/**
 * Reads and validates a flow folder. The returned flow carries each node's default variant; every single-variant
 * alternative (what `--variants all` runs) is checked too, so a broken variant fails here, not mid-run.
 */
export function loadFlow(dir: string, options: LoadFlowOptions = {}): Flow {
  const absoluteDir = path.resolve(dir);
  if (!fs.existsSync(absoluteDir) || !fs.statSync(absoluteDir).isDirectory()) {
    throw new UserError(`${absoluteDir}: flow folder not found`);
  }
  const file = flowFile(absoluteDir, options.fileName);
  let document: unknown;
  try {
    document = yaml.load(fs.readFileSync(file, "utf8"), { filename: file });
  } catch (err) {
    if (err instanceof yaml.YAMLException) throw new ConfigError(file, "$", "valid YAML", err.message);
    throw err;
  }
  const flow = parseFlow(document, absoluteDir, file);
  validateFlow(flow, (p) => fs.existsSync(p) && fs.statSync(p).isFile());
  resolveVariants(flow, "all");
  return flow;
}
