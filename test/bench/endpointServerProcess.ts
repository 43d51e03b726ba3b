/**
 * The benchmark endpoint in its own process, so its CPU and memory are counted for neither tool. Sends its URL to
 * the parent over IPC, answers `{answered}` to any message, and exits when the parent disconnects.
 */
import { startBenchEndpoint } from "./endpointServer";

startBenchEndpoint(Number(process.argv[2] ?? 20))
  .then((endpoint) => {
    process.on("message", () => process.send?.({ answered: endpoint.answered() }));
    process.on("disconnect", () => {
      endpoint.close().finally(() => process.exit(0));
    });
    process.send?.({ url: endpoint.scoringUrl });
  })
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
