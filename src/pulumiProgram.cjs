// The Pulumi program (Pulumi.yaml `main`): src/index.ts, compiled (dist/index.js) when the build is current,
// else through tsx. Its exports are the stack outputs.
module.exports = require("./cli/compiledOrSource.cjs").load("index");
