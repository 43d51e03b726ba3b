/**
 * `llmops plan --stack dev` start to finish (two processes: the CLI and its plan child), median of 5 (--runs N)
 * wall times, from the TypeScript sources through tsx (LLMOPS_FROM_SOURCE=1, as before the build) and from the
 * compiled build (dist/), against the floor: the same two processes that only load the modules they run (the CLI
 * with its plan command; the plan worker with Pulumi, azure-native and the program), without planning anything.
 * Builds dist/ first when it is not current.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..");
const cli = path.join(root, "src/cli/llmops.cjs");

function wallMs(args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: root, env, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", timeout: 300_000 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited ${String(result.status)}: ${result.stderr}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function run(args: string[]): Promise<void> {
  const runsFlag = args.indexOf("--runs");
  const runs = runsFlag >= 0 ? Number(args[runsFlag + 1]) : 5;
  const build = spawnSync(process.execPath, [path.join(root, "src/cli/compiledOrSource.cjs"), "build"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) throw new Error("npm run build failed");

  const fromSource = { ...process.env, LLMOPS_FROM_SOURCE: "1" };
  const loadOnly = (modules: string[]) => ["-e", modules.map((m) => `require(${JSON.stringify(m)});`).join("")];
  const dist = (m: string) => path.join(root, "dist", m);
  // Rounds interleave the three, so a change in the machine's load hits all of them alike.
  const times = { floor: [] as number[], source: [] as number[], compiled: [] as number[] };
  for (let round = 0; round < runs; round++) {
    times.floor.push(wallMs(loadOnly([dist("cli/main.js"), dist("cli/commands/plan.js")])) + wallMs(loadOnly([dist("cli/planWorker.js")])));
    times.source.push(wallMs([cli, "plan", "--stack", "dev"], fromSource));
    times.compiled.push(wallMs([cli, "plan", "--stack", "dev"]));
  }
  const [floor, source, compiled] = [median(times.floor), median(times.source), median(times.compiled)];
  if (!fs.existsSync(dist("cli/entry.js"))) throw new Error("dist/cli/entry.js missing after the build");

  const row = (label: string, ms: number) => `${label.padEnd(44)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${(ms / floor).toFixed(1).padStart(5)}x floor`;
  console.log(`llmops plan --stack dev, median of ${runs} wall times`);
  console.log(row("module-loading floor (both processes, dist/)", floor));
  console.log(row("before: TypeScript through tsx", source));
  console.log(row("after: compiled dist/", compiled));
  console.log(`speed-up: ${(source / compiled).toFixed(2)}x`);
}
