import * as path from "node:path";
import { resolveEnvYaml } from "../config/envYaml";
import { readEnvYaml } from "../config/envYamlFile";
import { useCaseEnvironmentFile } from "../config/stackConfig";

/**
 * Local runs see the use case's environment/env.yaml (beside the experiment) as environment variables, as the
 * template's runs do: set before the Python workers start, so flows read them with os.environ.
 */
export function applyUseCaseEnvironment(experimentFile: string, note: (message: string) => void): void {
  const file = path.join(path.dirname(path.resolve(experimentFile)), useCaseEnvironmentFile);
  const entries = readEnvYaml(file);
  if (entries === undefined) return;
  Object.assign(process.env, resolveEnvYaml(entries, process.env, file));
  note(`${path.relative(process.cwd(), file) || file} applied (${entries.map((e) => e.name).join(", ")})`);
}
