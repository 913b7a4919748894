import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Temporary folders for one test file: `make()` creates one under the system temp folder, `removeAll()`
 * (for an afterEach or afterAll hook) deletes every folder made so far.
 *
 * @param prefix - the folders' name prefix.
 * @example
 * const temp = tempDirs("kt-config-");
 * afterEach(temp.removeAll);
 * const dir = temp.make();
 */
export function tempDirs(prefix: string): { make: () => string; removeAll: () => void } {
  const made: string[] = [];
  return {
    make() {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    removeAll() {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
