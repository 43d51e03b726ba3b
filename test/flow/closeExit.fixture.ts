/**
 * Run as a separate process by pythonPool.test.ts: after close() resolves, code must still run even though idle
 * workers do not keep the event loop alive.
 */
import * as path from "node:path";
import { createPythonPool } from "../../src/flow/pythonPool";

void (async () => {
  const dir = process.argv[2];
  const pool = createPythonPool({ size: 2, environment: process.env });
  const result = await pool.call({ toolPath: path.join(dir, "core.py"), kwargs: { x: 1 }, bypassed: [], cwd: dir, env: {} });
  await pool.close();
  process.stdout.write(`after-close ${JSON.stringify(result.ok)}\n`);
})();
