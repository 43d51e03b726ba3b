#!/usr/bin/env node
// The `llmops` command. TypeScript sources are loaded through tsx so a fresh clone needs no build step.
require("tsx/cjs");
require("./main.ts").runCli(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err && err.stack ? err.stack : String(err)); process.exitCode = 1; },
);
