import { join, resolve, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

let registered = false;

/**
 * Imports a TypeScript module of the repository at run time through tsx (registered on first
 * use). For modules that cannot be bundled with the CLI, e.g. ones that start worker threads from
 * their own file. Works from the source tree and from the CLI bundle in node_modules/.cache/keytrail/
 * (the bundle keeps each module's own import.meta.url).
 *
 * @param pathFromRoot - e.g. "scripts/seal/sealBatch.ts".
 * @returns the module namespace.
 * @example
 * const { sealBatch } = await loadTsModule<typeof import("../../seal/sealBatch.js")>("scripts/seal/sealBatch.ts");
 */
export async function loadTsModule<T>(pathFromRoot: string): Promise<T> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
  if (!registered) {
    const { register } = await import("tsx/esm/api");
    register();
    registered = true;
  }
  return (await import(pathToFileURL(join(root, pathFromRoot)).href)) as T;
}
