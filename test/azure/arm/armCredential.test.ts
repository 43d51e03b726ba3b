import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { armCredentialChoice, azureTokenExchangeAudience, readOidcAssertion } from "../../../src/azure/arm/armCredential";
import { armBaseUrlFromEnvironment, armTokenScope } from "../../../src/azure/arm/armToken";

describe("ARM credential choice", () => {
  const sp = { ARM_CLIENT_ID: "client", ARM_TENANT_ID: "tenant" };

  it("uses azure-native's OIDC variables first, in its order of token sources", () => {
    assert.deepEqual(armCredentialChoice({ ...sp, ARM_USE_OIDC: "true", ARM_OIDC_TOKEN: "jwt" }), {
      kind: "oidc",
      tenantId: "tenant",
      clientId: "client",
      assertion: { kind: "variable", name: "ARM_OIDC_TOKEN" },
    });
    const github = armCredentialChoice({
      ...sp,
      ARM_USE_OIDC: "true",
      ACTIONS_ID_TOKEN_REQUEST_URL: "https://runner/token?x=1",
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: "runner-secret",
    });
    assert.deepEqual(github, {
      kind: "oidc",
      tenantId: "tenant",
      clientId: "client",
      assertion: { kind: "request", url: "https://runner/token?x=1", bearerVariable: "ACTIONS_ID_TOKEN_REQUEST_TOKEN" },
    });
    assert.ok(!JSON.stringify(github).includes("runner-secret"), "the choice names variables, never holds their secrets");
  });

  it("falls back to a client secret, then to DefaultAzureCredential", () => {
    assert.deepEqual(armCredentialChoice({ ...sp, ARM_CLIENT_SECRET: "s3cret" }), { kind: "clientSecret", tenantId: "tenant", clientId: "client" });
    assert.deepEqual(armCredentialChoice({ ...sp, ARM_USE_OIDC: "true" }), { kind: "default" });
    assert.deepEqual(armCredentialChoice({ ARM_CLIENT_SECRET: "s3cret" }), { kind: "default" });
    assert.deepEqual(armCredentialChoice({}), { kind: "default" });
  });

  it("reads the ARM base URL and token scope from LLMOPS_ARM_ENDPOINT", () => {
    assert.equal(armBaseUrlFromEnvironment({}), "https://management.azure.com");
    assert.equal(armBaseUrlFromEnvironment({ LLMOPS_ARM_ENDPOINT: "https://management.usgovcloudapi.net/" }), "https://management.usgovcloudapi.net");
    assert.equal(armTokenScope("https://management.azure.com"), "https://management.azure.com/.default");
    assert.throws(() => armBaseUrlFromEnvironment({ LLMOPS_ARM_ENDPOINT: "management.azure.com" }), /LLMOPS_ARM_ENDPOINT: expected an absolute URL/);
  });
});

describe("readOidcAssertion", () => {
  let server: Server;
  let baseUrl: string;
  let seen: IncomingMessage[] = [];
  let answer: { status: number; body: unknown } = { status: 200, body: { value: "github-jwt" } };
  let dir: string;

  before(async () => {
    server = createServer((req, res) => {
      seen.push(req);
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), "llmops-oidc-"));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    seen = [];
    answer = { status: 200, body: { value: "github-jwt" } };
  });

  it("asks the GitHub token service for the Azure audience with the runner's bearer", async () => {
    const env = { ACTIONS_ID_TOKEN_REQUEST_TOKEN: "runner-secret" };
    const token = await readOidcAssertion(
      { kind: "request", url: `${baseUrl}/token?api-version=2.0`, bearerVariable: "ACTIONS_ID_TOKEN_REQUEST_TOKEN" },
      env,
    );
    assert.equal(token, "github-jwt");
    const url = new URL(seen[0].url ?? "", baseUrl);
    assert.equal(url.searchParams.get("audience"), azureTokenExchangeAudience);
    assert.equal(url.searchParams.get("api-version"), "2.0");
    assert.equal(seen[0].headers.authorization, "bearer runner-secret");
  });

  it("fails clearly, without the runner's bearer, when the service gives no token", async () => {
    answer = { status: 403, body: { message: "id-token permission missing" } };
    await assert.rejects(
      readOidcAssertion({ kind: "request", url: `${baseUrl}/token`, bearerVariable: "ARM_OIDC_REQUEST_TOKEN" }, { ARM_OIDC_REQUEST_TOKEN: "runner-secret" }),
      (err: unknown) => err instanceof Error && /HTTP 403 without a token/.test(err.message) && !err.message.includes("runner-secret"),
    );
  });

  it("reads a token from a variable or a file", async () => {
    assert.equal(await readOidcAssertion({ kind: "variable", name: "ARM_OIDC_TOKEN" }, { ARM_OIDC_TOKEN: "jwt-1" }), "jwt-1");
    const file = join(dir, "token");
    writeFileSync(file, "jwt-2\n");
    assert.equal(await readOidcAssertion({ kind: "file", path: file }, {}), "jwt-2");
  });
});
