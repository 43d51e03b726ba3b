/**
 * `environment/env.yaml` of a use case, applied as the template applies it (llmops/common/common.py
 * resolve_env_vars): each key, upper-cased, becomes an environment variable of local runs, of the deployments
 * and of the Web App. A value `${VAR}` is read from the environment; a variable already set under the key wins.
 * Secret-looking keys (…_API_KEY, …_SECRET, …_TOKEN...) may only hold a `${VAR}` reference: deployments get it
 * as a Pulumi secret, the Web App as a Key Vault reference; a literal is refused and never echoed.
 */
import { isSecretLookingName, plainSecretReason } from "../core/plainSecrets";
import { ConfigError, UserError } from "../core/userError";
import { parseYaml } from "../core/yaml";
import { describeFound, jsonPath } from "./jsonPath";

export interface EnvYamlEntry {
  /** The key upper-cased, as the template sets it. */
  name: string;
  /** A literal value (Python's str() of it: true → "True", as the template writes it). */
  value?: string;
  /** `${VAR}`: the variable the value comes from. */
  variable?: string;
  secret: boolean;
}

const reference = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** Python's str() of a YAML scalar, so values reach the flow exactly as the template's scripts passed them. */
function pythonText(value: unknown): string | undefined {
  if (typeof value === "string") return value.trim();
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return String(value);
  return undefined;
}

/** Pure: env.yaml's text → its entries, every mistake a ConfigError naming the file and key. */
export function parseEnvYaml(text: string, file: string): EnvYamlEntry[] {
  const document = parseYaml(text, file);
  if (document === undefined || document === null) return [];
  if (typeof document !== "object" || Array.isArray(document)) throw new ConfigError(file, "$", "a mapping of NAME: value", describeFound(document));
  return Object.entries(document as Record<string, unknown>).map(([key, raw]): EnvYamlEntry => {
    const name = key.trim().toUpperCase();
    const at = jsonPath([key]);
    const text = pythonText(raw);
    if (text === undefined) throw new ConfigError(file, at, "a text, number or boolean value", describeFound(raw));
    if (text === "") throw new ConfigError(file, at, "a value (the template refuses an empty one)", describeFound(raw));
    const secret = isSecretLookingName(name);
    const match = reference.exec(text);
    if (match) return { name, variable: match[1], secret };
    // A literal under a secret-looking name, or a credential-shaped literal under any name (user:password@ in a URL).
    const plainSecret = plainSecretReason(name, text);
    if (secret || plainSecret !== undefined) {
      throw new ConfigError(
        file,
        at,
        "a reference to an environment variable like ${MY_API_KEY} (secrets are never stored in files)",
        plainSecret ?? "a literal value (not shown)",
      );
    }
    return { name, value: text, secret };
  });
}

/**
 * The values for a local run, as the template resolves them: a variable already set under the entry's name wins,
 * then the `${VAR}` it references (which must be set), then the literal.
 */
export function resolveEnvYaml(entries: readonly EnvYamlEntry[], environment: Record<string, string | undefined>, file: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const entry of entries) {
    const existing = environment[entry.name];
    if (existing !== undefined) values[entry.name] = existing;
    else if (entry.variable !== undefined) {
      const value = environment[entry.variable];
      if (value === undefined || value === "") throw new UserError(`${file}: ${entry.name} needs environment variable ${entry.variable}, which is not set`);
      values[entry.name] = value;
    } else values[entry.name] = entry.value!;
  }
  return values;
}

/** The Key Vault secret a `${VAR}` of env.yaml reads on the Web App: VAR in lower kebab case (vault names allow [0-9a-zA-Z-]). */
export function envYamlSecretName(variable: string): string {
  return variable.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}

/**
 * env.yaml for a deployment or Web App: plain values (literal, or a `${VAR}` resolved now, an already-set variable
 * under the entry's own name winning as in the template) and secrets by variable name. A non-secret `${VAR}` that
 * is not set is `<VAR>` in `unresolved` mode "placeholder" (plans that deploy nothing), an error in "required".
 */
export function planEnvYaml(
  entries: readonly EnvYamlEntry[],
  environment: Record<string, string | undefined>,
  file: string,
  unresolved: "placeholder" | "required",
): { values: Record<string, string>; secrets: Record<string, string>; unresolvedVariables: string[] } {
  const values: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  const unresolvedVariables: string[] = [];
  for (const entry of entries) {
    if (entry.secret) {
      const variable = entry.variable!;
      if (unresolved === "required" && (environment[variable] === undefined || environment[variable] === "")) {
        throw new UserError(`${file}: ${entry.name} needs environment variable ${variable} when deploying, which is not set`);
      }
      secrets[entry.name] = variable;
      continue;
    }
    if (entry.variable === undefined) {
      values[entry.name] = environment[entry.name] ?? entry.value!;
      continue;
    }
    const value = environment[entry.name] ?? environment[entry.variable];
    if (value !== undefined && value !== "") values[entry.name] = value;
    else if (unresolved === "required") throw new UserError(`${file}: ${entry.name} needs environment variable ${entry.variable}, which is not set`);
    else {
      values[entry.name] = `<${entry.variable}>`;
      unresolvedVariables.push(entry.variable);
    }
  }
  return { values, secrets, unresolvedVariables };
}
