/**
 * The benchmark endpoint in its own process, so its CPU and memory are counted for neither tool. Sends its URL to
 * the parent over IPC, answers any message with `{answered, cpuSeconds}` (requests served and CPU used so far), and
 * exits when the parent disconnects.
 */
import { startBenchEndpoint } from "./endpointServer";

startBenchEndpoint(Number(process.argv[2] ?? 20))
  .then((endpoint) => {
    process.on("message", () => {
      const cpu = process.cpuUsage();
      process.send?.({ answered: endpoint.answered(), cpuSeconds: (cpu.user + cpu.system) / 1e6 });
    });
    process.on("disconnect", () => {
      void endpoint.close().finally(() => process.exit(0));
    });
    process.send?.({ url: endpoint.scoringUrl });
  })
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
