// Loaded with `node --require` (NODE_OPTIONS) by measuredProcess.ts when GNU time is absent: every Node process
// of the measured command appends "<peak RSS kB> <CPU µs>" to the file named by LLMOPS_BENCH_USAGE_FILE on exit.
const { appendFileSync } = require("node:fs");

const file = process.env.LLMOPS_BENCH_USAGE_FILE;
if (file) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    try {
      appendFileSync(file, `${usage.maxRSS} ${usage.userCPUTime + usage.systemCPUTime}\n`);
    } catch {
      // A process that cannot write its figures must still exit normally.
    }
  });
}
