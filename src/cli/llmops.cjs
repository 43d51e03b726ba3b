#!/usr/bin/env node
// The `llmops` command: the compiled build (dist/) when it is current, else the TypeScript sources through tsx,
// so a fresh clone and a developer editing src/ both run what src/ says.
if (require("./compiledOrSource.cjs").compiledIsCurrent()) {
  require("../../dist/cli/entry.js");
} else {
  require("tsx/cjs");
  require("./entry.ts");
}
