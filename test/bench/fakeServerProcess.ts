/** The fake OpenAI server in its own process for benchmarks; sends its URL to the parent over IPC. */
import { startFakeOpenAiServer } from "../support/fakeOpenAiServer";

startFakeOpenAiServer({ apiKey: "bench-key", latencyMs: Number(process.argv[2] ?? 20), logRequests: false })
  .then((server) => process.send?.({ url: server.url }))
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
