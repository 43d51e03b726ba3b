/**
 * Connection specs as users write them (experiment.yaml `connections[]`, prompt flow connection files) turned
 * into typed Connections. Secrets come from environment variables only: a secret field must be a reference
 * (`${VAR}` or `${env:VAR}`); a literal secret in a file is refused. Errors name the variable or the field and
 * never show a value.
 */
import { plainSecretReason } from "../core/plainSecrets";
import { ConfigError, UserError } from "../core/userError";
import type { Connection, ConnectionRateLimits } from "./types";

/** A connection spec as parsed from YAML/JSON; fields are snake_case like prompt flow's. */
export type ConnectionSpec = Record<string, unknown>;

export type Environment = Record<string, string | undefined>;

/** Every variable "exists" with a placeholder, so resolution checks shapes and literal secrets without reading any. */
export const placeholderEnvironment: Environment = new Proxy({}, { get: () => "unresolved" });

const wholeReference = /^\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}$/;
const embeddedReference = /\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}/g;

const typeAliases: Record<string, Connection["type"]> = {
  AzureOpenAIConnection: "azure_open_ai",
  azure_open_ai: "azure_open_ai",
  OpenAIConnection: "open_ai",
  open_ai: "open_ai",
  CustomConnection: "custom",
  custom: "custom",
};

class SpecReader {
  constructor(
    private readonly spec: ConnectionSpec,
    private readonly path: string,
    private readonly source: string,
    private readonly env: Environment,
  ) {}

  private variable(name: string, field: string): string {
    const value = this.env[name];
    if (value === undefined || value === "") {
      throw new UserError(`${this.source}: ${this.path}.${field} needs environment variable ${name}, which is not set`);
    }
    return value;
  }

  /** A plain setting: literal, or with `${VAR}` references substituted. */
  setting(field: string, required: true): string;
  setting(field: string, required?: false): string | undefined;
  setting(field: string, required = false): string | undefined {
    const raw = this.spec[field];
    if (raw === undefined || raw === null || raw === "") {
      if (required) throw new ConfigError(this.source, `${this.path}.${field}`, "a value", "nothing");
      return undefined;
    }
    if (typeof raw !== "string" && typeof raw !== "number") throw new ConfigError(this.source, `${this.path}.${field}`, "a string", typeof raw);
    // What is written in the file, references left out, must hold no credential: `https://user:pass@host`,
    // `?api-key=...`, or a literal under a secret-looking name in a custom connection's configs.
    const secret = plainSecretReason(field, String(raw).replace(embeddedReference, ""));
    if (secret !== undefined) {
      throw new ConfigError(
        this.source,
        `${this.path}.${field}`,
        "no secret in plain text: put it in an environment variable and write ${MY_VARIABLE}, or under secrets:",
        secret,
      );
    }
    return String(raw).replace(embeddedReference, (_match, name: string) => this.variable(name, field));
  }

  /** A secret: must be a whole environment reference. */
  secret(field: string, required: boolean, raw: unknown = this.spec[field]): string | undefined {
    if (raw === undefined || raw === null || raw === "") {
      if (required) throw new ConfigError(this.source, `${this.path}.${field}`, "a reference to an environment variable like ${MY_API_KEY}", "nothing");
      return undefined;
    }
    const match = typeof raw === "string" ? wholeReference.exec(raw) : null;
    if (!match) {
      throw new ConfigError(
        this.source,
        `${this.path}.${field}`,
        "a reference to an environment variable like ${MY_API_KEY} (secrets are never stored in files)",
        "a literal value (not shown)",
      );
    }
    return this.variable(match[1], field);
  }

  positive(field: string): number | undefined {
    const text = this.setting(field);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!(value > 0) || !Number.isFinite(value)) throw new ConfigError(this.source, `${this.path}.${field}`, "a number > 0", `'${text}'`);
    return value;
  }

  /** Optional client-side quota; undefined when neither limit is set, so connections compare equal without it. */
  rateLimits(): ConnectionRateLimits | undefined {
    const requestsPerMinute = this.positive("requests_per_minute");
    const tokensPerMinute = this.positive("tokens_per_minute");
    if (requestsPerMinute === undefined && tokensPerMinute === undefined) return undefined;
    return { requestsPerMinute, tokensPerMinute };
  }

  map(field: string): Record<string, unknown> {
    const raw = this.spec[field] ?? {};
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ConfigError(this.source, `${this.path}.${field}`, "a mapping", Array.isArray(raw) ? "a list" : typeof raw);
    return raw as Record<string, unknown>;
  }
}

function resolveOne(spec: ConnectionSpec, path: string, source: string, env: Environment): Connection {
  const reader = new SpecReader(spec, path, source, env);
  const name = reader.setting("name", true);
  const typeName = String(spec.connection_type ?? spec.type ?? "");
  // The template compares connection types case-insensitively ("customconnection" works there).
  const type = Object.entries(typeAliases).find(([alias]) => alias.toLowerCase() === typeName.toLowerCase())?.[1];
  if (!type) {
    throw new ConfigError(source, `${path}.connection_type`, `one of ${Object.keys(typeAliases).join(", ")}`, typeName ? `'${typeName}'` : "nothing");
  }
  switch (type) {
    case "azure_open_ai": {
      const authMode = reader.setting("auth_mode") ?? "key";
      if (authMode !== "key" && authMode !== "meid_token") throw new ConfigError(source, `${path}.auth_mode`, "key or meid_token", `'${authMode}'`);
      const connection: Connection = {
        type,
        name,
        apiBase: reader.setting("api_base", true),
        apiVersion: reader.setting("api_version", true),
        authMode,
        apiKey: authMode === "key" ? reader.secret("api_key", true) : undefined,
      };
      const rateLimits = reader.rateLimits();
      return rateLimits ? { ...connection, rateLimits } : connection;
    }
    case "open_ai": {
      const connection: Connection = { type, name, baseUrl: reader.setting("base_url"), apiKey: reader.secret("api_key", false), organization: reader.setting("organization") };
      const rateLimits = reader.rateLimits();
      return rateLimits ? { ...connection, rateLimits } : connection;
    }
    case "custom": {
      const configs: Record<string, string> = {};
      for (const key of Object.keys(reader.map("configs"))) {
        configs[key] = new SpecReader(reader.map("configs"), `${path}.configs`, source, env).setting(key, true);
      }
      const secrets: Record<string, string> = {};
      for (const [key, raw] of Object.entries(reader.map("secrets"))) secrets[key] = reader.secret(`secrets.${key}`, true, raw) ?? "";
      return { type, name, configs, secrets };
    }
  }
}

/** The secret values resolved connections hold: what a recorded error must never show. */
export function connectionSecretValues(connections: Record<string, Connection>): string[] {
  return Object.values(connections).flatMap((connection) =>
    connection.type === "custom" ? Object.values(connection.secrets) : connection.apiKey !== undefined ? [connection.apiKey] : [],
  );
}

/**
 * Resolves every spec; `source` names the file in errors. Names must be unique. Secret values are read from
 * `env` (pass process.env) and never printed.
 */
export function resolveConnections(specs: readonly ConnectionSpec[], env: Environment, source = "connections"): Record<string, Connection> {
  const connections: Record<string, Connection> = {};
  specs.forEach((spec, index) => {
    const path = `$.connections[${index}]`;
    if (typeof spec !== "object" || spec === null || Array.isArray(spec)) throw new ConfigError(source, path, "a mapping", Array.isArray(spec) ? "a list" : typeof spec);
    const connection = resolveOne(spec, path, source, env);
    if (connections[connection.name]) throw new ConfigError(source, `${path}.name`, "a unique connection name", `'${connection.name}' again`);
    connections[connection.name] = connection;
  });
  return connections;
}
