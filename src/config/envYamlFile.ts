/** Reading a use case's environment/env.yaml from disk; what it means is envYaml.ts's (pure). */
import * as fs from "node:fs";
import { readTextFile } from "../core/files";
import { parseEnvYaml, type EnvYamlEntry } from "./envYaml";

/** Reads `<use case>/environment/env.yaml`; undefined when the use case has none. */
export function readEnvYaml(file: string): EnvYamlEntry[] | undefined {
  if (!fs.existsSync(file)) return undefined;
  return parseEnvYaml(readTextFile(file), file);
}
