// Whether to load this package's compiled JavaScript (dist/, built by `npm run build`, which `npm ci` runs as
// `prepare` and `npm test` as `pretest`) or its TypeScript sources through tsx. The callers (llmops.cjs,
// pulumiProgram.cjs) name both files literally, so the import graph sees them. "Current" means no file under
// src/ changed since the build started, so a developer editing src/ never runs stale code; LLMOPS_FROM_SOURCE=1
// forces the sources (used by `npm run bench -- plan`).
// `node src/cli/compiledOrSource.cjs build` is the build: tsc, the Python shim copied, the config schemas' validators
// generated (ajv standalone code, so no compiled process compiles a schema), then the stamp.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..", "..");
const srcDir = path.join(root, "src");
const distDir = path.join(root, "dist");
const stampFile = path.join(distDir, ".build-started");

function newestChange(dir) {
  let newest = fs.statSync(dir).mtimeMs;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "__pycache__") continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestChange(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

function compiledIsCurrent() {
  if (process.env.LLMOPS_FROM_SOURCE === "1") return false;
  let builtFrom;
  try {
    builtFrom = fs.statSync(stampFile).mtimeMs;
  } catch {
    return false;
  }
  // A clone without src/ (the serving image copies dist/ only) has nothing newer.
  return !fs.existsSync(srcDir) || newestChange(srcDir) <= builtFrom;
}

function build() {
  const { execFileSync } = require("node:child_process");
  const started = new Date();
  fs.rmSync(stampFile, { force: true });
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(root, "tsconfig.build.json")], { stdio: "inherit", cwd: root });
  fs.cpSync(path.join(srcDir, "flow", "python"), path.join(distDir, "flow", "python"), { recursive: true });
  const schemas = require(path.join(distDir, "config", "schemaValidation.js"));
  fs.writeFileSync(schemas.precompiledValidatorsFile, schemas.standaloneValidatorsModule());
  fs.writeFileSync(stampFile, `${started.toISOString()}\n`);
  fs.utimesSync(stampFile, started, started);
}

module.exports = { compiledIsCurrent };

if (require.main === module) {
  if (process.argv[2] !== "build") {
    console.error("usage: node src/cli/compiledOrSource.cjs build");
    process.exitCode = 2;
  } else {
    build();
  }
}
