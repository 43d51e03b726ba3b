import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promptflowServingCommand as servingCommand } from "../../src/plan/dockerfile";

/**
 * The serving image's CMD off Azure ML (the Web App), run for real with /bin/sh against a stand-in `pf` that
 * records its arguments and copies every connection file it is given. What a user relies on: each connection the
 * Web App names exists in the local prompt flow store before the flow is served, and a missing setting stops the
 * container with a message naming it instead of serving a flow whose LLM nodes fail.
 */
describe("serving image command (engine promptflow): Web App connections", () => {
  let root: string;

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-connections-"));
    const bin = path.join(root, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(
      path.join(bin, "pf"),
      '#!/bin/sh\nprintf "%s\\n" "$*" >> "$RECORD/argv"\nif [ "$1 $2" = "connection create" ]; then cp "$4" "$RECORD/$(basename "$4")"; fi\n',
      { mode: 0o755 },
    );
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  function run(env: Record<string, string>): { status: number | null; stderr: string; argv: string[]; files: Record<string, string> } {
    const record = fs.mkdtempSync(path.join(root, "record-"));
    const connectionsDir = path.join(record, "store");
    const result = spawnSync(servingCommand[0], servingCommand.slice(1), {
      env: { PATH: `${path.join(root, "bin")}:/usr/bin:/bin`, RECORD: record, LLMOPS_CONNECTIONS_DIR: connectionsDir, ...env },
      encoding: "utf8",
      timeout: 30_000,
    });
    const argvFile = path.join(record, "argv");
    const argv = fs.existsSync(argvFile) ? fs.readFileSync(argvFile, "utf8").trim().split("\n") : [];
    const files: Record<string, string> = {};
    for (const name of fs.readdirSync(record)) if (name.endsWith(".yaml")) files[name] = fs.readFileSync(path.join(record, name), "utf8");
    return { status: result.status, stderr: result.stderr, argv: argv.map((line) => line.replace(connectionsDir, "<dir>")), files };
  }

  const serve = "flow serve --source /flow --host 0.0.0.0 --port 8080 --skip-open-browser";

  it("creates one connection per name, values as ${env:...} references (no secret on disk), then serves", () => {
    const secret = "planted-key-value-42";
    const result = run({
      LLMOPS_CONNECTIONS: "aoai,keyless,oai",
      AOAI_CONNECTION_TYPE: "azure_open_ai",
      AOAI_API_BASE: "https://a.openai.azure.com/",
      AOAI_API_VERSION: "2024-10-21",
      AOAI_API_TYPE: "azure",
      AOAI_AUTH_MODE: "key",
      AOAI_API_KEY: secret,
      KEYLESS_CONNECTION_TYPE: "azure_open_ai",
      KEYLESS_API_BASE: "https://b.openai.azure.com/",
      KEYLESS_AUTH_MODE: "meid_token",
      OAI_CONNECTION_TYPE: "open_ai",
      OAI_BASE_URL: "http://localhost:11434/v1",
    });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(result.argv, [
      "connection create --file <dir>/aoai.yaml",
      "connection create --file <dir>/keyless.yaml",
      "connection create --file <dir>/oai.yaml",
      serve,
    ]);
    assert.deepEqual(result.files, {
      "aoai.yaml":
        "name: aoai\ntype: azure_open_ai\napi_base: ${env:AOAI_API_BASE}\napi_version: ${env:AOAI_API_VERSION}\n" +
        "api_type: ${env:AOAI_API_TYPE}\nauth_mode: ${env:AOAI_AUTH_MODE}\napi_key: ${env:AOAI_API_KEY}\n",
      "keyless.yaml": "name: keyless\ntype: azure_open_ai\napi_base: ${env:KEYLESS_API_BASE}\nauth_mode: ${env:KEYLESS_AUTH_MODE}\n",
      "oai.yaml": "name: oai\ntype: open_ai\nbase_url: ${env:OAI_BASE_URL}\n",
    });
    assert.ok(!JSON.stringify(result).includes(secret));
  });

  it("refuses to start when a key-auth connection's key setting is missing, naming it", () => {
    const result = run({ LLMOPS_CONNECTIONS: "aoai", AOAI_CONNECTION_TYPE: "azure_open_ai", AOAI_API_BASE: "https://a.openai.azure.com/", AOAI_AUTH_MODE: "key" });
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /connection aoai needs app setting AOAI_API_KEY, which is not set/);
    assert.deepEqual(result.argv, [], "neither a connection nor the server was started");
  });

  it("refuses a connection without its type or endpoint setting", () => {
    const noType = run({ LLMOPS_CONNECTIONS: "my-conn" });
    assert.notEqual(noType.status, 0);
    assert.match(noType.stderr, /MY_CONN_CONNECTION_TYPE/);
    const noBase = run({ LLMOPS_CONNECTIONS: "aoai", AOAI_CONNECTION_TYPE: "azure_open_ai", AOAI_AUTH_MODE: "meid_token" });
    assert.notEqual(noBase.status, 0);
    assert.match(noBase.stderr, /AOAI_API_BASE/);
    assert.deepEqual(noBase.argv, []);
  });

  it("creates no connection when LLMOPS_CONNECTIONS is unset", () => {
    const result = run({});
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(result.argv, [serve]);
  });
});
