// Loaded with `node --require` (NODE_OPTIONS) by peakRss.ts when GNU time is absent: every Node process of the
// measured command appends its own peak RSS (kB) to the file named by LLMOPS_BENCH_RSS_FILE when it exits.
const { appendFileSync } = require("node:fs");

const file = process.env.LLMOPS_BENCH_RSS_FILE;
if (file) {
  process.on("exit", () => {
    try {
      appendFileSync(file, `${process.resourceUsage().maxRSS}\n`);
    } catch {
      // A process that cannot write its figure must still exit normally.
    }
  });
}
