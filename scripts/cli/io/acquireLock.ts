import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { CliError } from "../errors.js";

/**
 * Takes an exclusive lock file (O_EXCL, holding the pid) so two runs never work on the same job;
 * a lock left by a process that no longer exists is taken over.
 *
 * @param path - the lock file.
 * @param what - the job, for the error.
 * @returns a function that releases the lock.
 * @example
 * const release = acquireLock("orders.csv.lock", "orders.csv"); try { … } finally { release(); }
 */
export function acquireLock(path: string, what: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      const release = () => rmSync(path, { force: true });
      process.once("exit", release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number(readFileSync(path, "utf8").trim());
      let alive = false;
      try {
        if (pid > 0) {
          process.kill(pid, 0);
          alive = true;
        }
      } catch {
        alive = false;
      }
      if (alive)
        throw new CliError(`Another keytrail run (pid ${pid}) is working on ${what}; wait for it or stop it first.`);
      rmSync(path, { force: true });
    }
  }
  throw new CliError(`Could not lock ${what} (${path}).`);
}
