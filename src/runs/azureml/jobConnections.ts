/**
 * How a job gets the connections the flow uses without a secret in its definition. Connection specs travel as
 * written (with `${VAR}` references). A variable referenced by a secret field (`api_key`, `secrets.*`) is read by
 * the job from Key Vault with its own identity, from the secret the Web App reads too (`<name>-api-key`); every
 * other variable (endpoints, API versions) is resolved here and passed as a job environment variable. Pure.
 */
import { connectionSecretName } from "../../config/deploymentConfigChecks";
import type { ConnectionSpec, Environment } from "../../llm/connections";
import { UserError } from "../../core/userError";

const reference = /\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface JobConnections {
  /** Non-secret variables the specs reference, with their values. */
  environmentVariables: Record<string, string>;
  /** Secret variable → Key Vault secret name. */
  secretVariables: Record<string, string>;
}

function referencesIn(value: unknown): string[] {
  if (typeof value !== "string") return [];
  return [...value.matchAll(reference)].map((match) => match[1]);
}

export function jobConnections(specs: readonly ConnectionSpec[], environment: Environment, source: string): JobConnections {
  const result: JobConnections = { environmentVariables: {}, secretVariables: {} };
  for (const spec of specs) {
    const name = String(spec.name ?? "");
    for (const [field, value] of Object.entries(spec)) {
      if (field === "secrets" && typeof value === "object" && value !== null) {
        for (const secret of Object.values(value as Record<string, unknown>)) {
          for (const variable of referencesIn(secret)) result.secretVariables[variable] = connectionSecretName(name);
        }
        continue;
      }
      for (const variable of referencesIn(value)) {
        if (field === "api_key") {
          result.secretVariables[variable] = connectionSecretName(name);
          continue;
        }
        const resolved = environment[variable];
        if (resolved === undefined || resolved === "") {
          throw new UserError(`${source}: connection '${name}' field ${field} needs environment variable ${variable}, which is not set (the job gets its value)`);
        }
        result.environmentVariables[variable] = resolved;
      }
    }
  }
  return result;
}
