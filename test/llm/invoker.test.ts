import assert from "node:assert/strict";
import { ManualClock } from "../../src/core/clock";
import { HttpError } from "../../src/azure/http/httpError";
import { createLlmInvoker } from "../../src/llm/invoker";
import type { TokenCredentialLike } from "../../src/azure/entraAuth";
import { UserError } from "../../src/core/userError";
import type { AzureOpenAIConnection, LlmRequest, OpenAIConnection } from "../../src/llm/types";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fakeOpenAiServer";

const key = "azure-key-SECRET-42";

describe("createLlmInvoker", () => {
  let server: FakeOpenAiServer;
  let azure: AzureOpenAIConnection;
  let openai: OpenAIConnection;
  before(async () => {
    server = await startFakeOpenAiServer({ apiKey: key, bearerToken: "entra-token-1" });
    azure = { type: "azure_open_ai", name: "aoai", apiBase: `${server.url}/`, apiVersion: "2024-06-01", authMode: "key", apiKey: key };
    openai = { type: "open_ai", name: "oai", baseUrl: server.openAiBaseUrl, apiKey: key, organization: "org-1" };
  });
  after(() => server.close());

  const chat = (connection: LlmRequest["connection"], parameters: LlmRequest["parameters"] = {}): LlmRequest => ({
    api: "chat",
    connection,
    model: "gpt-4o-mini",
    parameters,
    messages: [
      { role: "system", content: "You classify tickets." },
      { role: "user", content: "My invoice is wrong" },
    ],
  });

  it("calls Azure OpenAI chat on the deployment path with the api-version and api-key header", async () => {
    const result = await createLlmInvoker().invoke(chat(azure));
    const request = server.requests.at(-1)!;
    assert.equal(request.path, "/openai/deployments/gpt-4o-mini/chat/completions");
    assert.equal(request.query["api-version"], "2024-06-01");
    assert.equal(request.headers["api-key"], key);
    assert.equal(request.headers.authorization, undefined);
    assert.equal(request.body.model, undefined);
    assert.equal(result.text, "My invoice is wrong");
    assert.equal(result.finishReason, "stop");
  });

  it("calls Azure OpenAI completions for api completion", async () => {
    const result = await createLlmInvoker().invoke({ api: "completion", connection: azure, model: "davinci", parameters: { max_tokens: 5 }, prompt: "Say hi" });
    const request = server.requests.at(-1)!;
    assert.equal(request.path, "/openai/deployments/davinci/completions");
    assert.equal(request.body.prompt, "Say hi");
    assert.equal(result.text, "Say hi");
  });

  it("calls OpenAI-compatible servers with the model in the body, Bearer auth and organization", async () => {
    await createLlmInvoker().invoke(chat(openai));
    const request = server.requests.at(-1)!;
    assert.equal(request.path, "/v1/chat/completions");
    assert.equal(request.body.model, "gpt-4o-mini");
    assert.equal(request.headers.authorization, `Bearer ${key}`);
    assert.equal(request.headers["openai-organization"], "org-1");
    assert.equal(request.headers["api-key"], undefined);
  });

  it("sends no auth header to a keyless OpenAI-compatible server (Ollama, vLLM)", async () => {
    const open = await startFakeOpenAiServer();
    try {
      await createLlmInvoker().invoke(chat({ type: "open_ai", name: "ollama", baseUrl: `${open.openAiBaseUrl}/` }));
      assert.equal(open.requests[0].headers.authorization, undefined);
    } finally {
      await open.close();
    }
  });

  it("maps every set parameter to the API body and leaves unset ones out", async () => {
    await createLlmInvoker().invoke(
      chat(azure, { temperature: 0.1, top_p: 0.9, max_tokens: 128, stop: ["\n\n"], presence_penalty: 0.5, frequency_penalty: 0.2, response_format: { type: "json_object" }, seed: 7 }),
    );
    const body = server.requests.at(-1)!.body;
    assert.deepEqual(
      { ...body, messages: undefined },
      { messages: undefined, temperature: 0.1, top_p: 0.9, max_tokens: 128, stop: ["\n\n"], presence_penalty: 0.5, frequency_penalty: 0.2, response_format: { type: "json_object" }, seed: 7 },
    );
    await createLlmInvoker().invoke(chat(azure, { temperature: 0, stop: [] }));
    assert.deepEqual(Object.keys(server.requests.at(-1)!.body).sort(), ["messages", "temperature"]);
  });

  it("records usage from the response", async () => {
    const result = await createLlmInvoker().invoke(chat(azure));
    // fake server counts words: 7 prompt words, 4 answer words
    assert.deepEqual(result.usage, { promptTokens: 7, completionTokens: 4, totalTokens: 11 });
  });

  it("records zero usage when the server omits it", async () => {
    const bare = await startFakeOpenAiServer({ omitUsage: true });
    try {
      const result = await createLlmInvoker().invoke(chat({ type: "open_ai", name: "local", baseUrl: bare.openAiBaseUrl }));
      assert.deepEqual(result.usage, { promptTokens: 0, completionTokens: 0, totalTokens: 0 });
    } finally {
      await bare.close();
    }
  });

  it("surfaces a content-filter refusal and error bodies as HttpError", async () => {
    server.fail({
      kind: "status",
      status: 400,
      body: { error: { code: "content_filter", message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy." } },
    });
    await assert.rejects(createLlmInvoker().invoke(chat(azure)), (err: unknown) => err instanceof HttpError && err.code === "content_filter" && /content management policy/.test(err.message));
    const filtering = await startFakeOpenAiServer({ answer: () => ({ text: null, finishReason: "content_filter" }) });
    try {
      await assert.rejects(
        createLlmInvoker().invoke(chat({ type: "open_ai", name: "f", baseUrl: filtering.openAiBaseUrl })),
        (err: unknown) => err instanceof HttpError && err.code === "content_filter",
      );
    } finally {
      await filtering.close();
    }
  });

  it("retries a 429 through the shared HTTP layer", async () => {
    const clock = new ManualClock();
    server.fail({ kind: "status", status: 429, headers: { "retry-after": "3" } });
    const result = await createLlmInvoker({ http: { clock } }).invoke(chat(azure));
    assert.equal(result.text, "My invoice is wrong");
    assert.deepEqual(clock.sleeps, [3000]);
  });

  it("a wrong key fails with 401 and the key never appears in the error", async () => {
    const wrong = { ...azure, apiKey: "wrong-SECRET-key" };
    await assert.rejects(createLlmInvoker().invoke(chat(wrong)), (err: unknown) => {
      assert.ok(err instanceof HttpError);
      assert.equal(err.status, 401);
      assert.ok(!`${err.message}${err.stack}`.includes("wrong-SECRET-key"));
      return true;
    });
  });

  it("uses an Entra ID token for meid_token, cached until near expiry", async () => {
    const clock = new ManualClock(1_000_000);
    const scopes: (string | string[])[] = [];
    let issued = 0;
    const credential: TokenCredentialLike = {
      getToken: async (scope) => {
        scopes.push(scope);
        issued++;
        return { token: issued === 1 ? "entra-token-1" : "entra-token-2", expiresOnTimestamp: clock.now() + 60 * 60_000 };
      },
    };
    const entra: AzureOpenAIConnection = { ...azure, authMode: "meid_token", apiKey: undefined };
    const invoker = createLlmInvoker({ credential: () => credential, http: { clock } });
    await Promise.all([invoker.invoke(chat(entra)), invoker.invoke(chat(entra))]);
    assert.equal(issued, 1, "concurrent calls share one token request");
    assert.equal(server.requests.at(-1)!.headers.authorization, "Bearer entra-token-1");
    assert.equal(server.requests.at(-1)!.headers["api-key"], undefined);
    clock.advance(56 * 60_000); // within 5 minutes of expiry
    await assert.rejects(invoker.invoke(chat(entra)), (err: unknown) => err instanceof HttpError && err.status === 401);
    assert.equal(issued, 2, "refreshed near expiry");
    assert.deepEqual(scopes, ["https://cognitiveservices.azure.com/.default", "https://cognitiveservices.azure.com/.default"]);
  });

  it("refuses a custom connection and a key-mode connection without a key", async () => {
    await assert.rejects(createLlmInvoker().invoke(chat({ type: "custom", name: "c", configs: {}, secrets: {} })), /custom connection/);
    const before = server.requests.length;
    await assert.rejects(createLlmInvoker().invoke(chat({ ...azure, apiKey: undefined })), (err: unknown) => err instanceof UserError && /no api_key/.test(err.message));
    assert.equal(server.requests.length, before, "nothing sent, nothing retried");
  });

  it("waits for the connection's requests-per-minute limit, per deployment", async () => {
    const clock = new ManualClock();
    const invoker = createLlmInvoker({ limits: { aoai: { requestsPerMinute: 6, burstSeconds: 10 } }, http: { clock } });
    await invoker.invoke(chat(azure));
    await invoker.invoke({ ...chat(azure), model: "other-deployment" });
    assert.equal(clock.now(), 0, "another deployment has its own quota");
    await invoker.invoke(chat(azure));
    assert.equal(clock.now(), 10_000);
  });

  it("applies a connection's own rate limits when the invoker names none", async () => {
    const clock = new ManualClock();
    const invoker = createLlmInvoker({ http: { clock } });
    const limited: AzureOpenAIConnection = { ...azure, name: "limited", rateLimits: { requestsPerMinute: 60 } };
    for (let i = 0; i < 11; i++) await invoker.invoke(chat(limited));
    assert.equal(clock.now(), 1000, "a 10 s burst of 60 RPM is 10 requests; the 11th waits 1 s");
  });
});
