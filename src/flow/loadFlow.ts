import { isFile, readYamlFile } from "../core/files";
import { UserError } from "../core/userError";
import { locateFlow } from "./flowFolder";
import { parseFlow } from "./parseFlow";
import type { Flow } from "./types";
import { validateFlow } from "./validateFlow";
import { resolveVariants } from "./variants";

/**
 * Reads and validates a flow folder. The returned flow carries each node's default variant; every single-variant
 * alternative (what `--variants all` runs) is checked too, so a broken variant fails here, not mid-run.
 */
export function loadFlow(dir: string, referencedFrom = "--flow"): Flow {
  const location = locateFlow(dir, referencedFrom);
  if (location.kind !== "dag") throw new UserError(`${location.file}: a ${location.kind} flow, not a DAG (flow.dag.yaml)`);
  const { file } = location;
  const absoluteDir = location.dir;
  const flow = parseFlow(readYamlFile(file), absoluteDir, file);
  validateFlow(flow, isFile);
  resolveVariants(flow, "all");
  return flow;
}
