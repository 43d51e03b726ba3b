import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { endpointTrafficProvider } from "../../src/infra/endpointTraffic";
import { FakeArmServer, startFakeArmServer } from "../support/fakeArmServer";
import { endpointKey } from "../azure/arm/armTestKit";

/**
 * `pulumi up` runs a dynamic provider from a serialised copy in another node process: no tsx, no relative
 * requires, only what was captured. These tests serialise the real provider exactly as the SDK does and run the
 * text in a plain `node` child the way Pulumi's dynamic-provider host loads it (require-from-string), against
 * the fake ARM server, with DefaultAzureCredential getting its token from the fake managed-identity endpoint.
 */
describe("EndpointTraffic provider serialisation", () => {
  let server: FakeArmServer;
  let serialised: string;
  let workDir: string;

  const secretMarker = "marker-secret-7c1e";

  before(async () => {
    // Credentials are read from the provider process's environment at run time, never baked into the text
    // Pulumi stores in the stack state.
    const saved = process.env.ARM_CLIENT_SECRET;
    process.env.ARM_CLIENT_SECRET = secretMarker;
    try {
      const result = await pulumi.runtime.serializeFunction(() => endpointTrafficProvider, { allowSecrets: true });
      serialised = result.text;
      assert.equal(result.containsSecrets, false);
    } finally {
      if (saved === undefined) delete process.env.ARM_CLIENT_SECRET;
      else process.env.ARM_CLIENT_SECRET = saved;
    }
    assert.ok(!serialised.includes(secretMarker));
    workDir = mkdtempSync(join(tmpdir(), "llmops-provider-"));
  });
  after(() => {
    rmSync(workDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    server = await startFakeArmServer();
    server.addEndpoint(endpointKey);
    server.addDeployment(endpointKey, "blue");
    server.addDeployment(endpointKey, "green");
    server.pollRetryAfter = "0";
  });
  afterEach(async () => {
    await server.close();
  });

  it("serialises without capturing Pulumi resources, source paths or TypeScript", () => {
    assert.match(serialised, /exports\.handler/);
    assert.doesNotMatch(serialised, /require\("\.{1,2}\//, "no relative require may survive serialisation");
    assert.doesNotMatch(serialised, /\.ts["']/);
    assert.match(serialised, /require\("@azure\/identity"\)/);
  });

  it("runs create, diff, read and delete from the serialised text in a plain node process", async function () {
    const providerFile = join(workDir, "provider.js");
    writeFileSync(providerFile, serialised);
    const requireFromString = require.resolve("require-from-string", {
      paths: [dirname(require.resolve("@pulumi/pulumi/package.json"))],
    });
    const script = `
      const fs = require("fs");
      const provider = require(${JSON.stringify(requireFromString)})(fs.readFileSync(${JSON.stringify(providerFile)}, "utf8")).handler();
      const bag = (traffic) => ({ ...${JSON.stringify(endpointKey)}, traffic, mirrorTraffic: {}, __provider: "x" });
      (async () => {
        const check = await provider.check({}, bag({ blue: 90, green: 5 }));
        const created = await provider.create(bag({ blue: 100 }));
        const diff = await provider.diff(created.id, created.outs, bag({ blue: 10, green: 90 }));
        const updated = await provider.update(created.id, created.outs, bag({ blue: 10, green: 90 }));
        const read = await provider.read(created.id, updated.outs);
        await provider.delete(created.id, read.props);
        console.log(JSON.stringify({ failures: check.failures, created, diff, read }));
      })().catch((err) => { console.error(String(err && err.message)); process.exit(1); });
    `;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: workDir,
      LLMOPS_ARM_ENDPOINT: server.baseUrl,
      // App Service style managed identity: DefaultAzureCredential asks this local endpoint, nothing else.
      IDENTITY_ENDPOINT: `${server.baseUrl}/msi/token`,
      IDENTITY_HEADER: server.identityHeader,
    };
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ["-e", script], { cwd: process.cwd(), env, timeout: 30_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    const result = JSON.parse(output.trim().split("\n").pop() ?? "{}") as {
      failures: { property: string }[];
      created: { id: string; outs: { traffic: unknown } };
      diff: { changes: boolean; replaces: string[] };
      read: { props: { traffic: unknown } };
    };
    assert.deepEqual(result.failures.map((f) => f.property), ["traffic"]);
    assert.deepEqual(result.created.outs.traffic, { blue: 100 });
    assert.equal(result.diff.changes, true);
    assert.deepEqual(result.diff.replaces, []);
    assert.deepEqual(result.read.props.traffic, { blue: 10, green: 90 });
    assert.deepEqual((server.endpoint(endpointKey)?.properties as { traffic: unknown }).traffic, { blue: 10, green: 90 });
    assert.deepEqual([...server.bearerTokens], [server.msiToken]);
    // One client per provider process: the credential fetched its token once for all five calls.
    assert.equal(server.requests.filter((r) => r.path === "/msi/token").length, 1);
  });
});
