/**
 * The fake OpenAI server in its own process for benchmarks; sends its URL to the parent over IPC.
 * Arguments: latency before each answer in ms (20), wait between two chunks of a streamed answer in ms (0).
 */
import { startFakeOpenAiServer } from "../support/fakeOpenAiServer";

startFakeOpenAiServer({ apiKey: "bench-key", latencyMs: Number(process.argv[2] ?? 20), chunkDelayMs: Number(process.argv[3] ?? 0), logRequests: false })
  .then((server) => process.send?.({ url: server.url }))
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
