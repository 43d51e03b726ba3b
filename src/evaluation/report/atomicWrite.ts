/**
 * Writing a file so that readers see either the old content or the complete new one, never a half-written file:
 * write a temporary file in the same directory, flush it to disk, then rename it over the target (rename is atomic
 * within a file system). On any failure the temporary file is removed and the target is left untouched.
 */
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";

export type FileContent = string | Iterable<string> | AsyncIterable<string>;

export async function writeFileAtomic(target: string, content: FileContent): Promise<void> {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await fs.open(temp, "wx", 0o644);
  let renamed = false;
  try {
    if (typeof content === "string") {
      await handle.writeFile(content, "utf8");
    } else {
      for await (const chunk of content) await handle.write(chunk, null, "utf8");
    }
    await handle.sync();
    await handle.close();
    await fs.rename(temp, target);
    renamed = true;
  } finally {
    if (!renamed) {
      await handle.close().catch(() => undefined);
      await fs.rm(temp, { force: true });
    }
  }
}
