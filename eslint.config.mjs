// Lint rules of the project (npm run lint, part of npm test): typescript-eslint's type-checked recommendations.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "runs/**", "reports/**", "**/*.cjs", "**/*.mjs", "**/*.js", "test/flows/**", "flows/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      "@typescript-eslint/ban-ts-comment": "error",
      // Lazy requires keep start-up fast: the CLI loads one command, ARM loads @azure/identity only when it
      // needs a credential, the bench dispatcher one benchmark, the Pulumi test fixture the program under mocks;
      // `serve` loads its server after Application Insights has instrumented HTTP; ajv's compiler only when a
      // schema has no validator precompiled by the build (config/schemaValidation.ts); the plan worker loads Pulumi's
      // closure serialiser only if something calls it (stacks/offlinePlan/deferClosureSerializer.ts).
      "@typescript-eslint/no-require-imports": [
        "error",
        { allow: ["^@azure/identity$", "^@azure/monitor-opentelemetry$", "^\\./commands/", "^\\.\\./\\.\\./serve/", "^\\./[A-Za-z]+$", "/src/index$", "^ajv$", "^ajv/dist/standalone$", "^@pulumi/pulumi/runtime/closure/(serializeClosure|codePaths)$"] },
      ],
      // Abort reasons (signal.reason) and caught values are rethrown as they came.
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingAny: true, allowThrowingUnknown: true }],
      "@typescript-eslint/only-throw-error": ["error", { allowThrowingAny: true, allowThrowingUnknown: true }],
      // Async functions implementing async interfaces need not await.
      "@typescript-eslint/require-await": "off",
      // Escaping and role markers match control characters on purpose.
      "no-control-regex": "off",
      // Error messages render unknown config values with String(); a describe helper covers objects where it matters.
      "@typescript-eslint/no-base-to-string": "off",
    },
  },
  {
    // Functional core, imperative shell: signals, exit codes, arguments, the working directory, the terminal and
    // process.env belong to the command line (src/cli) and the Pulumi program's entry (src/index.ts). Everything
    // else takes what it needs as arguments (an `environment`, a `workingDirectory`) and returns results.
    files: ["src/**/*.ts"],
    ignores: ["src/cli/**", "src/index.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        ...[
          ["env", "take an `environment` argument from the caller"],
          ["argv", "take the arguments from the caller"],
          ["exit", "return a result; src/cli sets the exit code"],
          ["exitCode", "return a result; src/cli sets the exit code"],
          ["cwd", "take a `workingDirectory` argument from the caller"],
          ["chdir", "pass the folder to the code that needs it"],
          ["on", "src/cli owns process events and signals"],
          ["once", "src/cli owns process events and signals"],
          ["addListener", "src/cli owns process events and signals"],
          ["prependListener", "src/cli owns process events and signals"],
          ["prependOnceListener", "src/cli owns process events and signals"],
          ["kill", "src/cli owns signals (a child process is ended through its own handle)"],
          ["stdout", "src/cli draws on the terminal; return text or take a writer"],
          ["stderr", "src/cli draws on the terminal; return text or take a writer"],
          ["stdin", "src/cli reads the terminal; take a stream"],
        ].map(([property, instead]) => ({ object: "process", property, message: `process.${property} belongs to src/cli: ${instead}.` })),
      ],
      // `import { env } from "node:process"` would get around the rule above.
      "no-restricted-imports": ["error", ...["process", "node:process"].map((name) => ({ name, message: "process state belongs to src/cli; take what you need as arguments." }))],
    },
  },
);
