/**
 * `llmops run-shard` (not listed in help): what an Azure ML job started by `llmops run --on azureml` runs inside
 * the flow image, once per instance. Reads the attempt's spec, fetches connection keys from Key Vault with the
 * job's managed identity, runs this instance's mini-batches and writes one file per finished mini-batch to the
 * job's output folder. Exit codes: 0 done (failed lines are records, not errors), 1 more lines failed than the
 * spec allows, 2 bad arguments, 130 stopped.
 */
import { azureTokenSource } from "../../azure/arm/armToken";
import { keyVaultTokenScope, readKeyVaultSecrets } from "../../azure/keyVaultSecrets";
import { UserError } from "../../core/userError";
import { keyVaultUrlVariable } from "../../runs/azureml/connect";
import { runShard } from "../../runs/shard/runShard";
import { readShardSpec } from "../../runs/shard/shardSpec";
import { parseCommandOptions } from "../commandOptions";
import type { Command } from "../command";

const usage = `usage: llmops run-shard --flow <dir> --data <file.jsonl> --spec <spec.json> --instance <i> --out <dir>

Runs one instance's mini-batches of an Azure ML job started by \`llmops run --on azureml\` (inside the job).`;

/** Azure ML sets this in jobs that run with a user-assigned identity; DefaultAzureCredential reads AZURE_CLIENT_ID. */
const jobIdentityVariable = "DEFAULT_IDENTITY_CLIENT_ID";

export const runShardCommand: Command = {
  summary: "run one instance of an Azure ML job (used inside the job)",
  usage,
  async run(args) {
    const { text, fail } = parseCommandOptions(
      args,
      { flow: { type: "string" }, data: { type: "string" }, spec: { type: "string" }, instance: { type: "string" }, out: { type: "string" } },
      usage,
    );
    const need = (name: string): string => text(name) ?? fail(`--${name} is required`);
    const [flowDir, data, specFile, out, instanceText] = [need("flow"), need("data"), need("spec"), need("out"), need("instance")];
    if (!/^[0-9]+$/.test(instanceText)) fail(`--instance: expected a whole number >= 0, found '${instanceText}'`);
    const spec = readShardSpec(specFile);

    const environment: Record<string, string | undefined> = { ...process.env };
    if (!environment.AZURE_CLIENT_ID && environment[jobIdentityVariable]) environment.AZURE_CLIENT_ID = environment[jobIdentityVariable];
    if (Object.keys(spec.secretVariables).length > 0) {
      const vault = environment[keyVaultUrlVariable];
      if (!vault) throw new UserError(`the job spec names secrets (${Object.keys(spec.secretVariables).join(", ")}) but ${keyVaultUrlVariable} is not set`);
      Object.assign(environment, await readKeyVaultSecrets(vault, spec.secretVariables, azureTokenSource(keyVaultTokenScope, environment)));
    }

    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      const result = await runShard({ flowDir, data, spec, instance: Number(instanceText), outDir: out, environment, signal: stop.signal });
      console.error(`llmops run-shard: instance ${instanceText}: ${result.miniBatches} mini-batches, ${result.completed} lines completed, ${result.failed} failed`);
      if (result.tooManyFailures) {
        console.error(`llmops run-shard: more than ${spec.maxFailed} lines failed; stopped`);
        return 1;
      }
      return stop.signal.aborted ? 130 : 0;
    } finally {
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
    }
  },
};
