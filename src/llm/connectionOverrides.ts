/**
 * Prompt flow's `<NAME>_<FIELD>` connection overrides (`AOAI_API_BASE`, `AOAI_API_KEY`, `AOAI_AUTH_MODE`...):
 * environment variables that replace single fields of a connection, wherever the connection came from. Serving
 * applies them, and so do local runs, so a use case whose experiment.yaml names a fixed `api_base` can run against
 * another endpoint without editing the file.
 */
import { UserError } from "../core/userError";
import type { Environment } from "./connections";
import type { AzureOpenAIConnection, Connection } from "./types";

/** `aoai` → `AOAI`, `my conn` → `MY_CONN`: the prefix of a connection's overrides and app settings. */
export function connectionSettingPrefix(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** The connection with its `<NAME>_<FIELD>` variables applied; a key connection must end with a key. */
export function withFieldOverrides(connection: Connection, env: Environment): Connection {
  const prefix = connectionSettingPrefix(connection.name);
  const read = (field: string): string | undefined => nonEmpty(env[`${prefix}_${field}`]);
  switch (connection.type) {
    case "azure_open_ai": {
      const authMode = read("AUTH_MODE") ?? connection.authMode;
      if (authMode !== "key" && authMode !== "meid_token") throw new UserError(`${prefix}_AUTH_MODE: expected key or meid_token, found '${authMode}'`);
      const apiKey = read("API_KEY") ?? connection.apiKey;
      const result: AzureOpenAIConnection = { ...connection, apiBase: read("API_BASE") ?? connection.apiBase, apiVersion: read("API_VERSION") ?? connection.apiVersion, authMode };
      if (authMode === "meid_token") {
        delete result.apiKey;
        return result;
      }
      if (apiKey === undefined) throw new UserError(`connection ${connection.name} uses key auth but has no key: set ${prefix}_API_KEY or use auth_mode meid_token`);
      return { ...result, apiKey };
    }
    case "open_ai": {
      const apiKey = read("API_KEY") ?? connection.apiKey;
      const baseUrl = read("BASE_URL") ?? connection.baseUrl;
      const organization = read("ORGANIZATION") ?? connection.organization;
      return { ...connection, ...(apiKey !== undefined ? { apiKey } : {}), ...(baseUrl !== undefined ? { baseUrl } : {}), ...(organization !== undefined ? { organization } : {}) };
    }
    case "custom": {
      const configs = Object.fromEntries(Object.entries(connection.configs).map(([key, value]) => [key, read(key.toUpperCase()) ?? value]));
      const secrets = Object.fromEntries(Object.entries(connection.secrets).map(([key, value]) => [key, read(key.toUpperCase()) ?? value]));
      return { ...connection, configs, secrets };
    }
  }
}
