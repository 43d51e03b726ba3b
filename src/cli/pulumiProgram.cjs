// The Pulumi program (Pulumi.yaml `main`): src/index.ts, compiled (dist/index.js) when the build is current, else
// through tsx. Its exports are the stack outputs. In src/cli: it is a process entry point, like llmops.cjs.
if (require("./compiledOrSource.cjs").compiledIsCurrent()) {
  module.exports = require("../../dist/index.js");
} else {
  require("tsx/cjs");
  module.exports = require("../index.ts");
}
