import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Writes a file so that readers see either the old content or the whole new one, never half of
 * it: write to a temporary sibling, then rename over the target.
 *
 * @param path - the file to write.
 * @param data - its new content.
 * @param mode - file mode (e.g. 0o600 for private files).
 * @example
 * writeFileAtomic(".keytrail/deployments/31337.json", JSON.stringify(record));
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, path);
}
