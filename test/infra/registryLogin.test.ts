import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { FlowImage } from "../../src/infra/flowImage";
import {
  RegistryLoginError,
  acrRefreshTokenUsername,
  entraRegistryTokenSource,
  exchangeForRegistryToken,
  exchangeForm,
  tenantOfAccessToken,
} from "../../src/azure/registryToken";
import { MockContext, mockInvoke, mockRegistryPassword, mockRegistryToken, mockResource } from "../../src/stacks/offlinePlan/mockAzure";
import { recordOfflinePlan } from "../../src/stacks/offlinePlan/recordUnderMocks";
import { runOfflinePlan } from "../../src/stacks/offlinePlan/runOfflinePlan";
import type { InfraPlan } from "../../src/plan/types";
import { recordInChild } from "./fixtures/childRecording";
import { makeFlowFolder, makePlan } from "./fixtures/infraPlans";
import { input, one, types } from "./fixtures/graph";

const tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const loginServer = "crticketstest.azurecr.io";

/** An unsigned JWT with the given claims (the exchange never checks signatures on our side). */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.c2lnbmF0dXJl`;
}

const accessToken = jwt({ aud: "https://management.azure.com", tid: tenant, oid: "3c1c0cb0-0000-4000-8000-000000000001" });

interface Exchange {
  path: string;
  contentType: string | undefined;
  form: URLSearchParams;
}

describe("infra: keyless (Entra ID) registry login", function () {
  this.timeout(120_000);

  describe("the tenant of an access token", () => {
    it("is its tid claim", () => {
      assert.equal(tenantOfAccessToken(accessToken), tenant);
    });

    it("is unknown for a token that is not a JWT, not JSON inside, or has no tid", () => {
      assert.equal(tenantOfAccessToken("opaque-token"), undefined);
      assert.equal(tenantOfAccessToken("a.b.c"), undefined);
      assert.equal(tenantOfAccessToken(jwt({ aud: "x" })), undefined);
      assert.equal(tenantOfAccessToken(jwt({ tid: 42 })), undefined);
    });

    it("goes into the exchange form, and the form goes without tenant when there is none", () => {
      const form = exchangeForm(loginServer, accessToken);
      assert.deepEqual([...form.keys()], ["grant_type", "service", "tenant", "access_token"]);
      assert.equal(form.get("grant_type"), "access_token");
      assert.equal(form.get("service"), loginServer);
      assert.equal(form.get("tenant"), tenant);
      assert.equal(form.get("access_token"), accessToken);
      assert.equal(exchangeForm(loginServer, "opaque-token").has("tenant"), false);
    });
  });

  describe("the exchange against a registry", () => {
    let server: http.Server;
    let baseUrl: string;
    const received: Exchange[] = [];
    /** What the fake registry answers next: status and body text. */
    let answer: { status: number; body: string } = { status: 200, body: "{}" };

    before(async () => {
      server = http.createServer((req, res) => {
        let body = "";
        req.setEncoding("utf8");
        req.on("data", (chunk: string) => (body += chunk));
        req.on("end", () => {
          received.push({ path: req.url ?? "", contentType: req.headers["content-type"], form: new URLSearchParams(body) });
          res.writeHead(answer.status, { "content-type": "application/json" });
          res.end(answer.body);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    beforeEach(() => {
      received.length = 0;
    });

    const exchange = (token = accessToken) => exchangeForRegistryToken({ loginServer, accessToken: token, registryUrl: baseUrl });

    it("posts the access token as a form to /oauth2/exchange and returns the refresh token", async () => {
      answer = { status: 200, body: JSON.stringify({ refresh_token: "acr-refresh-token-1" }) };
      assert.equal(await exchange(), "acr-refresh-token-1");
      assert.equal(received.length, 1);
      assert.equal(received[0].path, "/oauth2/exchange");
      assert.equal(received[0].contentType, "application/x-www-form-urlencoded");
      assert.equal(received[0].form.get("grant_type"), "access_token");
      assert.equal(received[0].form.get("service"), loginServer, "the registry's login server, not the URL it was reached at");
      assert.equal(received[0].form.get("tenant"), tenant);
      assert.equal(received[0].form.get("access_token"), accessToken);
    });

    for (const status of [401, 403]) {
      it(`explains a refusal (HTTP ${status}): the registry, the AcrPush role, the admin-user fallback, and no token`, async () => {
        answer = { status, body: JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: `token ${accessToken} rejected` }] }) };
        await assert.rejects(exchange(), (err: unknown) => {
          assert.ok(err instanceof RegistryLoginError, String(err));
          assert.match(err.message, new RegExp(`container registry ${loginServer.replace(/\./g, "\\.")} refused the Entra ID login \\(HTTP ${status}, UNAUTHORIZED\\)`));
          assert.match(err.message, /AcrPush/);
          assert.match(err.message, /adminUser/);
          assert.ok(!err.message.includes(accessToken), "never the access token, not even echoed by the registry");
          return true;
        });
      });
    }

    it("fails clearly on an answer that is not JSON or has no refresh token, without printing either token", async () => {
      answer = { status: 200, body: "<html>proxy login page</html>" };
      await assert.rejects(exchange(), (err: unknown) => {
        assert.ok(err instanceof Error && !(err instanceof RegistryLoginError));
        assert.match(err.message, /crticketstest\.azurecr\.io: the token exchange answered HTTP 200 with a body that is not JSON/);
        assert.ok(!err.message.includes(accessToken));
        return true;
      });
      answer = { status: 200, body: JSON.stringify({ access_token: "not-what-was-asked" }) };
      await assert.rejects(exchange(), /answered without a refresh_token/);
    });

    it("reports other HTTP failures with their status", async () => {
      answer = { status: 503, body: "busy" };
      await assert.rejects(exchange(), (err: unknown) => err instanceof Error && !(err instanceof RegistryLoginError) && /HTTP 503/.test(err.message));
    });

    it("gets the access token from the injected credential, once per login", async () => {
      answer = { status: 200, body: JSON.stringify({ refresh_token: "acr-refresh-token-2" }) };
      let asked = 0;
      const source = entraRegistryTokenSource({
        getAccessToken: async () => {
          asked += 1;
          return accessToken;
        },
        registryUrl: () => baseUrl,
      });
      assert.equal(await source(loginServer), "acr-refresh-token-2");
      assert.equal(asked, 1);
      assert.equal(received[0].form.get("access_token"), accessToken);
    });

    it("reads the ARM endpoint and credential from the environment it is given, when a login first needs them", async () => {
      // src/index.ts builds this source for every stack; an "adminUser" login never calls it, so nothing is read early.
      const source = entraRegistryTokenSource({ env: { LLMOPS_ARM_ENDPOINT: "management.example" }, registryUrl: () => baseUrl });
      await assert.rejects(source(loginServer), /LLMOPS_ARM_ENDPOINT: expected an absolute URL .* found 'management\.example'/);
      assert.equal(received.length, 0);
    });

    it("passes a credential failure on without calling the registry", async () => {
      const source = entraRegistryTokenSource({
        getAccessToken: () => Promise.reject(new Error("no Azure credential could produce a token")),
        registryUrl: () => baseUrl,
      });
      await assert.rejects(source(loginServer), /no Azure credential/);
      assert.equal(received.length, 0);
    });
  });

  describe("FlowImage under mocks", () => {
    const ctx: MockContext = { subscriptionId: "11111111-2222-4333-8444-555555555555", location: "westeurope", tenantId: tenant };

    /** Declares FlowImage alone and returns the Docker image's inputs exactly as the engine would get them. */
    async function imageInputs(plan: InfraPlan, registryToken: (server: string) => Promise<string>): Promise<{ registry: unknown; invokes: string[] }> {
      let registered: Record<string, unknown> | undefined;
      const invokes: string[] = [];
      await pulumi.runtime.setMocks(
        {
          newResource: (args) => {
            if (args.type === types.image) registered = args.inputs as Record<string, unknown>;
            return mockResource(args.type, args.name, args.inputs as Record<string, unknown>, ctx, args.custom !== false);
          },
          call: (args) => {
            invokes.push(args.token);
            return mockInvoke(args.token, args.inputs as Record<string, unknown>, ctx);
          },
        },
        "llmops",
        "registry-login",
        false,
      );
      const dockerfileRoot = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-dockerfile-"));
      const image = new FlowImage("image", { plan, dockerfileRoot, registryToken });
      await new Promise((resolve) => image.repoDigest.apply(resolve));
      assert.ok(registered !== undefined, "the Docker image was registered");
      return { registry: registered.registry, invokes };
    }

    function secretValue(value: unknown): Record<string, unknown> {
      assert.ok(pulumi.runtime.isRpcSecret(value), "the registry login reaches the engine as a secret");
      const inner = (value as { value: unknown }).value;
      assert.ok(typeof inner === "object" && inner !== null);
      return inner as Record<string, unknown>;
    }

    it("logs in with Entra ID by default: the zero-GUID username and the refresh token as a secret password", async () => {
      const plan = makePlan("single", makeFlowFolder());
      assert.equal(plan.azure.containerRegistry.login, undefined, "nothing configured");
      const asked: string[] = [];
      const { registry, invokes } = await imageInputs(plan, async (server) => {
        asked.push(server);
        return "injected-refresh-token";
      });
      assert.deepEqual(secretValue(registry), { server: loginServer, username: acrRefreshTokenUsername, password: "injected-refresh-token" });
      assert.deepEqual(asked, [loginServer]);
      assert.ok(!invokes.includes("azure-native:containerregistry:listRegistryCredentials"), "no admin credentials are read");
    });

    it("still logs in with the admin user when configured so", async () => {
      const plan = makePlan("single", makeFlowFolder());
      plan.azure.containerRegistry.login = "adminUser";
      const { registry, invokes } = await imageInputs(plan, () => Promise.reject(new Error("an adminUser login must not exchange tokens")));
      assert.deepEqual(secretValue(registry), { server: loginServer, username: "crticketstest", password: mockRegistryPassword });
      assert.ok(invokes.includes("azure-native:containerregistry:listRegistryCredentials"));
    });
  });

  describe("the offline plan", () => {
    it("never shows the registry token: the image's login is masked and the token is nowhere in the report", async () => {
      const plan = makePlan("single", makeFlowFolder());
      const report = await recordOfflinePlan(plan, { registryToken: async () => "do-not-print-this-refresh-token" });
      assert.equal(input(one(report, types.image), "registry"), "[secret]");
      const everything = JSON.stringify(report);
      assert.ok(!everything.includes("do-not-print-this-refresh-token"));
      assert.ok(!everything.includes(acrRefreshTokenUsername), "the login is masked as a whole");
    });

    it("plans the shipped dev stack through `llmops plan`'s child process with its login masked", async () => {
      const report = await runOfflinePlan({ stack: "dev", projectRoot: path.resolve(__dirname, "..", ".."), environment: process.env });
      assert.equal(input(one(report, types.image), "registry"), "[secret]");
      assert.ok(!JSON.stringify(report).includes(mockRegistryToken));
    });

    it("turns a refused login into a program failure shown without a stack trace, naming the registry", () => {
      const outcome = recordInChild("registryLoginRefused");
      assert.equal(outcome.ok, false);
      assert.equal(outcome.shownWithoutStack, true);
      assert.match(String(outcome.message), /container registry crticketstest\.azurecr\.io refused the Entra ID login/);
    });
  });
});
