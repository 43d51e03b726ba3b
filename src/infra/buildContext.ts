/**
 * The llmops image's build context, staged from the plan: the runtime's sources (package.json, lock, tsconfig,
 * src/, config/schema) at its root and the flow folder under `flow/`, so the Dockerfile can compile the runtime and
 * copy the flow from one context. Staged once per image tag (the tag names the flow and the runtime's content),
 * in a folder of its own, written completely before it is used.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readFlowFiles } from "../flow/flowFolder";
import { contextFlowFolder } from "../plan/dockerfile";
import { runtimeFiles } from "../plan/load/runtimeSources";
import type { ImagePlan } from "../plan/types";

export function stageBuildContext(image: ImagePlan, tmpRoot: string = os.tmpdir()): string {
  if (image.engine !== "llmops" || image.runtimeDir === undefined) return image.contextDir;
  const dir = path.join(tmpRoot, "llmops-docker", `context-${image.tag}`);
  if (fs.existsSync(path.join(dir, ".staged"))) return dir;
  const staging = `${dir}.${process.pid}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  const copy = (from: string, to: string): void => {
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(from, to);
  };
  for (const file of runtimeFiles(image.runtimeDir)) copy(file.absolutePath, path.join(staging, file.relativePath));
  for (const file of readFlowFiles(image.contextDir)) copy(file.absolutePath, path.join(staging, contextFlowFolder, file.relativePath));
  fs.writeFileSync(path.join(staging, ".staged"), `${image.tag}\n`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(staging, dir);
  return dir;
}
