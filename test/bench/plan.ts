/**
 * `llmops plan --stack dev` start to finish (two processes: the CLI and its plan child), median of 5 (--runs N)
 * wall times and CPU times (user + system of both processes, where /proc tells them: less sensitive to a shared
 * machine's load than wall time), against the floor: the same two processes that only load the modules they run (the CLI with its
 * plan command; the plan worker with Pulumi, azure-native and the program), without planning anything.
 *
 * Rows, measured in interleaved rounds so a change in the machine's load hits all of them alike (one warm-up
 * round first, so tsx's transpile cache is warm for every TypeScript row, as on a developer's second run):
 *   before     the code as it was when issue 8 ("build once") was filed: a temporary `git worktree` of
 *              --before <rev> (default below) with this project's node_modules, run as it ran then
 *              (`node src/cli/llmops.cjs plan --stack dev`, TypeScript through tsx); removed afterwards.
 *              Without git or that revision (a shallow clone), this row is left out and says why.
 *   source     this tree's TypeScript through tsx (LLMOPS_FROM_SOURCE=1: what runs before `npm run build`)
 *   compiled   this tree's compiled build (dist/), what `npx llmops plan` runs after `npm ci`
 * Builds dist/ first when it is not current.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..");
const cli = path.join(root, "src/cli/llmops.cjs");

/** The last commit before the consolidation of issue 8 began (2026-11-24 11:38 UTC, "...listenOnLoopback helper"). */
const issueFiledRevision = "826f8c7";

/** CPU time (user + system) of this process's waited-for children so far, from Linux's /proc; undefined elsewhere. */
function childrenCpuMs(): number | undefined {
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // cutime and cstime (fields 16 and 17 of proc(5)), in clock ticks of 1/100 s on Linux.
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

interface Measured {
  wallMs: number;
  cpuMs?: number;
}

function measure(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Measured {
  const cpuBefore = childrenCpuMs();
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, {
    cwd: options.cwd ?? root,
    env: options.env ?? process.env,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
    timeout: 300_000,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited ${String(result.status)}: ${result.stderr}`);
  const cpuAfter = childrenCpuMs();
  return { wallMs, ...(cpuBefore !== undefined && cpuAfter !== undefined ? { cpuMs: cpuAfter - cpuBefore } : {}) };
}

function sum(a: Measured, b: Measured): Measured {
  return { wallMs: a.wallMs + b.wallMs, ...(a.cpuMs !== undefined && b.cpuMs !== undefined ? { cpuMs: a.cpuMs + b.cpuMs } : {}) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function git(args: string[]): { ok: true; stdout: string } | { ok: false; reason: string } {
  const result = spawnSync("git", ["-C", root, ...args], { encoding: "utf8" });
  if (result.error) return { ok: false, reason: `git is not available (${result.error.message})` };
  if (result.status !== 0) return { ok: false, reason: `git ${args.join(" ")}: ${result.stderr.trim()}` };
  return { ok: true, stdout: result.stdout.trim() };
}

interface BeforeTree {
  label: string;
  directory: string;
  remove(): void;
}

/** A detached worktree of `revision` sharing this project's node_modules, or why there is none. */
function checkOutBefore(revision: string): BeforeTree | { reason: string } {
  const described = git(["log", "-1", "--format=%h %cd", "--date=format:%Y-%m-%d %H:%M", `${revision}^{commit}`]);
  if (!described.ok) return { reason: described.reason };
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-bench-before-"));
  const directory = path.join(scratch, "tree");
  const remove = () => {
    git(["worktree", "remove", "--force", directory]);
    fs.rmSync(scratch, { recursive: true, force: true });
    git(["worktree", "prune"]);
  };
  const added = git(["worktree", "add", "--detach", directory, revision]);
  if (!added.ok) {
    remove();
    return { reason: added.reason };
  }
  fs.symlinkSync(path.join(root, "node_modules"), path.join(directory, "node_modules"), "dir");
  return { label: `before: ${described.stdout} (issue filed), tsx`, directory, remove };
}

function flagValue(args: string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  return at >= 0 ? args[at + 1] : undefined;
}

export async function run(args: string[]): Promise<void> {
  const runs = Number(flagValue(args, "--runs") ?? 5);
  const build = spawnSync(process.execPath, [path.join(root, "src/cli/compiledOrSource.cjs"), "build"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) throw new Error("npm run build failed");
  const dist = (m: string) => path.join(root, "dist", m);
  if (!fs.existsSync(dist("cli/entry.js"))) throw new Error("dist/cli/entry.js missing after the build");

  const before = checkOutBefore(flagValue(args, "--before") ?? issueFiledRevision);
  // Ctrl-C also stops the measured child: its non-zero exit ends the rounds, and the worktree is removed below.
  const keepRunningOnInterrupt = () => undefined;
  process.on("SIGINT", keepRunningOnInterrupt);
  try {
    const plan = ["plan", "--stack", "dev"];
    // What dist/cli/planWorker.js loads (requiring it would run it): the deferral first, then the plan.
    const planWorkerModules = [dist("stacks/offlinePlan/deferClosureSerializer.js"), dist("stacks/offlinePlan/planInProcess.js")];
    const loadOnly = (modules: string[]) => ["-e", modules.map((m) => `require(${JSON.stringify(m)});`).join("")];
    const rows: { label: string; measure: () => Measured }[] = [
      { label: "module-loading floor (both processes, dist/)", measure: () => sum(measure(loadOnly([dist("cli/main.js"), dist("cli/commands/plan.js")])), measure(loadOnly(planWorkerModules))) },
      ...("directory" in before ? [{ label: before.label, measure: () => measure([path.join(before.directory, "src/cli/llmops.cjs"), ...plan], { cwd: before.directory }) }] : []),
      { label: "this tree's TypeScript through tsx", measure: () => measure([cli, ...plan], { env: { ...process.env, LLMOPS_FROM_SOURCE: "1" } }) },
      { label: "after: compiled dist/", measure: () => measure([cli, ...plan]) },
    ];
    for (const row of rows) row.measure();
    const times = rows.map(() => [] as Measured[]);
    for (let round = 0; round < runs; round++) rows.forEach((row, i) => times[i].push(row.measure()));
    const walls = times.map((measured) => median(measured.map((m) => m.wallMs)));
    const cpus = times.map((measured) => (measured.every((m) => m.cpuMs !== undefined) ? median(measured.map((m) => m.cpuMs ?? 0)) : undefined));
    const [floor, cpuFloor] = [walls[0], cpus[0]];
    const last = rows.length - 1;

    console.log(`llmops plan --stack dev, median of ${runs} (interleaved rounds after one warm-up), ${os.cpus().length} cores`);
    console.log(`${"".padEnd(58)} ${"wall".padStart(6)}    ${"".padStart(6)}       ${"CPU (user+sys)".padStart(14)}`);
    rows.forEach((row, i) => {
      const cpu = cpus[i];
      const cpuText = cpu === undefined || cpuFloor === undefined ? "" : `${(cpu / 1000).toFixed(2).padStart(6)} s  ${(cpu / cpuFloor).toFixed(1).padStart(5)}x floor`;
      console.log(`${row.label.padEnd(58)} ${(walls[i] / 1000).toFixed(2).padStart(6)} s  ${(walls[i] / floor).toFixed(1).padStart(5)}x floor  ${cpuText}`);
    });
    const speedUp = (i: number) => `${(walls[i] / walls[last]).toFixed(2)}x wall` + (cpus[i] !== undefined && cpus[last] !== undefined ? `, ${((cpus[i] ?? 0) / (cpus[last] ?? 1)).toFixed(2)}x CPU` : "");
    if ("directory" in before) console.log(`speed-up of compiled over before: ${speedUp(1)}`);
    else console.log(`before: not measured: ${before.reason}`);
    console.log(`speed-up of compiled over this tree through tsx: ${speedUp(last - 1)}`);
  } finally {
    if ("directory" in before) before.remove();
    process.off("SIGINT", keepRunningOnInterrupt);
  }
}
