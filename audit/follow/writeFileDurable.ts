import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Writes a file durably and atomically: a hidden temporary sibling is written and fsynced, then
 * renamed over the target, so a reader (or a restart after a crash) sees the old content or the whole
 * new one. The temporary file is removed when the rename fails; the error is thrown as `wrap(cause)`.
 *
 * @param path - the file to write.
 * @param text - its new content.
 * @param mode - file mode of a new file (0o600 for private state).
 * @param wrap - turns a failed rename into the caller's own error, naming its file.
 * @example
 * await writeFileDurable("audit-follow.json", JSON.stringify(state) + "\n", 0o600, (e) => new Error("…", { cause: e }));
 */
export async function writeFileDurable(
  path: string,
  text: string,
  mode: number,
  wrap: (cause: unknown) => Error,
): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const handle = await open(tmp, "w", mode);
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw wrap(e);
  }
}
