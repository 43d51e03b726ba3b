#!/usr/bin/env node
// The `llmops` command. TypeScript sources are loaded through tsx so a fresh clone needs no build step.
require("tsx/cjs");
require("./entry.ts");
