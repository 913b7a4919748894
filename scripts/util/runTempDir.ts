import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A run's own temporary folder; see {@link useRunTempDir}. */
export type RunTempDir = {
  /** Removes it, unless `keep` (then returns a line saying where the files are). */
  finish(keep: boolean): string | undefined;
};

/**
 * Points TMPDIR (which `os.tmpdir()` and child processes follow) at a new folder for this run, so that
 * the gigabytes of databases, exports and sealed batches a test or benchmark run makes go in one place
 * and leave with it. Mode 755: started as root, the PostgreSQL test server runs as its own user and must
 * enter it. `KEYTRAIL_KEEP_TMP=1` keeps the folder.
 *
 * @param prefix - the folder's name prefix, e.g. "keytrail-test-".
 * @returns its `finish`.
 * @example
 * const tmp = useRunTempDir("keytrail-test-");
 * // … run the suites …
 * const kept = tmp.finish(failed > 0);
 */
export function useRunTempDir(prefix: string): RunTempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  process.env.TMPDIR = dir;
  return {
    finish(keep) {
      if (keep || process.env.KEYTRAIL_KEEP_TMP === "1") return `temporary files of this run kept in ${dir}`;
      rmSync(dir, { recursive: true, force: true });
      return undefined;
    },
  };
}
