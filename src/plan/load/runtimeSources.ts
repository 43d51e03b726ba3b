/**
 * The llmops runtime that the "llmops" serving image compiles: this package's own sources. Their hash is part of
 * the build hash, so a new llmops (a changed server, engine or start command) names a new image tag, model
 * version and environment version, never re-pushes an old one (Azure ML environment versions are immutable).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { sha256Hex } from "../../core/sha256";
import { readFlowFiles } from "../../flow/flowFolder";
import { runtimeBuildInputs } from "../dockerfile";
import { contentHashOf } from "../flowFolder";
import type { FlowFile } from "../types";

/** The llmops package root (holding package.json), from src/plan/load or the compiled dist/plan/load alike. */
export const llmopsRuntimeRoot = path.resolve(__dirname, "../../..");

/** The runtime's build inputs under `root`, relative POSIX paths from it, sorted. */
export function runtimeFiles(root: string = llmopsRuntimeRoot): FlowFile[] {
  const files: FlowFile[] = [];
  for (const entry of runtimeBuildInputs) {
    const absolute = path.join(root, entry);
    if (!fs.existsSync(absolute)) throw new Error(`the llmops runtime at ${root} has no ${entry}: the serving image is built from it`);
    if (fs.statSync(absolute).isDirectory()) {
      for (const file of readFlowFiles(absolute)) files.push({ ...file, relativePath: `${entry}/${file.relativePath}` });
    } else {
      files.push({ relativePath: entry, absolutePath: absolute, sha256: sha256Hex(fs.readFileSync(absolute)) });
    }
  }
  return files.sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
}

export function runtimeHashOf(root: string = llmopsRuntimeRoot): string {
  return contentHashOf(runtimeFiles(root));
}
