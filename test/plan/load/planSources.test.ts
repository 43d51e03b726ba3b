/**
 * Functional core, imperative shell: src/plan/load/ reads a stack's files once into PlanSources, and the plan is a
 * pure function of them. Built again after the project folder is gone, the plan is the same; sources are plain
 * data; what the loader found on disk, the plan judges with the same one-line errors.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../../../src/core/userError";
import { buildInfraPlan } from "../../../src/plan/buildInfraPlan";
import { loadPlanSources, planStack, type PlanInput } from "../../../src/plan/load/planSources";
import type { PlanSources } from "../../../src/plan/sources";
import type { InfraPlan } from "../../../src/plan/types";
import { writeTemplateUseCase } from "../../support/templateUseCase";
import { configError, deploymentConfig, makeProject, managedEntry, planInput, stackConfig } from "../fixtures";

/** The sources and the plan of `input`, then the project folder deleted. */
function loadThenDelete(root: string, input: PlanInput): { sources: PlanSources; planned: InfraPlan } {
  try {
    return { sources: loadPlanSources(input), planned: planStack(input) };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

describe("plan: a pure function of the sources src/plan/load reads", () => {
  it("gives the same plan from the same sources once the project folder is deleted, and from their JSON copy", () => {
    const project = makeProject();
    const input = planInput(project);
    const { sources, planned } = loadThenDelete(project.root, input);
    assert.equal(fs.existsSync(project.root), false);
    assert.deepEqual(buildInfraPlan(sources, input), planned);
    assert.deepEqual(buildInfraPlan(JSON.parse(JSON.stringify(sources)) as PlanSources, input), planned);
    // Planned twice, nothing carried over between calls.
    assert.deepEqual(buildInfraPlan(sources, input), buildInfraPlan(sources, input));
  });

  it("plans a template use case (experiment, env.yaml, experiment datasets) without its folder", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-pure-usecase-"));
    writeTemplateUseCase(root, "review_sentiment", { envYaml: "AZURE_OPENAI_API_KEY: ${AOAI_KEY}\n" });
    const input: PlanInput = {
      stack: "dev",
      projectRoot: root,
      stackConfig: stackConfig({ flowPath: undefined, useCase: "review_sentiment" }),
      stackConfigFile: "Pulumi.dev.yaml",
      environmentVariables: {},
    };
    const { sources, planned } = loadThenDelete(root, input);
    assert.ok(sources.experiment !== undefined && sources.useCaseEnvironment !== undefined);
    assert.ok(planned.flow.datasets.length > 0);
    assert.deepEqual(buildInfraPlan(sources, input), planned);
  });

  it("takes the environment as an option: the same sources planned with a variable set carry it, without it a placeholder", () => {
    const project = makeProject();
    const input = planInput(project, { environmentVariables: {} });
    const { sources } = loadThenDelete(project.root, input);
    const withoutBase = buildInfraPlan(sources, input);
    const withBase = buildInfraPlan(sources, { environmentVariables: { AOAI_API_BASE: "https://aoai-test.openai.azure.com/" } });
    assert.ok(withoutBase.notices?.some((n) => n.includes("<AOAI_API_BASE>")), JSON.stringify(withoutBase.notices));
    assert.equal(withBase.notices?.some((n) => n.includes("<AOAI_API_BASE>")) ?? false, false);
  });

  it("refuses a request file the loader found missing as reading it from disk does: file, JSON path, value", () => {
    const project = makeProject(deploymentConfig({ managed: [managedEntry({ TEST_FILE_PATH: "flows/data/missing.json" })] }));
    const input = planInput(project);
    const fromDisk = configError(() => planStack(input));
    const sources = loadPlanSources(input);
    project.remove();
    assert.equal(fromDisk.jsonPath, "$.azure_managed_endpoint[0].TEST_FILE_PATH");
    assert.ok(fromDisk.message.includes('"flows/data/missing.json" (not found)'), fromDisk.message);
    assert.throws(() => buildInfraPlan(sources, input), (err: unknown) => err instanceof ConfigError && err.message === fromDisk.message);
  });

  it("does not look at a data pattern outside the project: the loader marks it, the plan refuses it by name", () => {
    const project = makeProject();
    const input = planInput(project, { stackConfig: stackConfig({ datasets: JSON.stringify(["../*.jsonl"]) }) });
    const sources = loadPlanSources(input);
    project.remove();
    assert.deepEqual(sources.dataFiles, { from: "stack", matches: ["outside"] });
    assert.throws(
      () => buildInfraPlan(sources, input),
      (err: unknown) => err instanceof ConfigError && err.jsonPath === '$.config["llmops:datasets"][0]' && err.message.endsWith('"../*.jsonl" (outside the project)'),
    );
  });
});
