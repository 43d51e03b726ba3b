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
      name: "pulumi-only-in-infra-and-stacks",
      comment:
        "Only the Pulumi components (src/infra), the stacks tooling and the command line use Pulumi: config, the plan, " +
        "the flow engine, model calls, bulk runs and evaluation never import the components or the Pulumi SDK.",
      severity: "error",
      from: { path: "^src/(core|config|plan|flow|llm|runs|evaluation)/" },
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
