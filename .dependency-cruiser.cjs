/**
 * Import boundaries of src/ (npm run lint, part of npm test). The folder tree is the architecture:
 * core primitives, config readers, the pure plan, Pulumi components, Azure clients, the flow engine, model calls,
 * bulk runs, evaluation, stacks tooling, and the command line on top. Tests may import anything.
 */
module.exports = {
  forbidden: [
    {
      name: "only-cli-imports-cli",
      comment: "Signals, exit codes, progress drawing and process.env belong to src/cli; nothing below imports it.",
      severity: "error",
      // The Pulumi program's entry (src/cli/pulumiProgram.cjs) lives in src/cli with the CLI's: both pick the
      // compiled or the source code.
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "config-and-plan-are-pure",
      comment: "Config readers and the plan never import Pulumi components or the Pulumi SDK.",
      severity: "error",
      from: { path: "^src/(config|plan|core)/" },
      to: { path: ["^src/infra/", "^node_modules/@pulumi/"] },
    },
    {
      name: "plan-reads-nothing",
      comment:
        "Functional core: the plan is a pure function of the PlanSources src/plan/load/ (its shell) reads. Nothing " +
        "the plan imports, directly or through other modules (type imports too), reads files or starts processes.",
      severity: "error",
      from: { path: "^src/plan/", pathNot: "^src/plan/load/" },
      to: { path: "^(node:)?(fs|fs/promises|child_process)$", reachable: true },
    },
    {
      name: "engine-without-pulumi",
      comment: "The flow engine, model calls and bulk runs run without Pulumi.",
      severity: "error",
      from: { path: "^src/(flow|llm|runs)/" },
      to: { path: ["^src/infra/", "^node_modules/@pulumi/"] },
    },
    {
      name: "evaluation-without-infra",
      comment: "Evaluation reads stack outputs and plans, never the Pulumi components.",
      severity: "error",
      from: { path: "^src/evaluation/" },
      to: { path: ["^src/infra/", "^node_modules/@pulumi/"] },
    },
    {
      name: "no-cycles",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^src/flow/python/" },
  },
};
