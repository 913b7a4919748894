import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as EsbuildModule from "esbuild";

let built: Promise<string | undefined> | undefined;

/** The last bundle and the source files it was built from (node_modules/.cache/keytrail/seal-worker.json). */
type BundleRecord = { file: string; inputs: string[] };

/** The recorded bundle, when it exists and is newer than every input. */
function upToDate(recordPath: string, root: string): string | undefined {
  try {
    const record = JSON.parse(readFileSync(recordPath, "utf8")) as BundleRecord;
    const built = statSync(record.file).mtimeMs;
    for (const input of record.inputs) if (statSync(join(root, input)).mtimeMs > built) return undefined;
    return record.file;
  } catch {
    return undefined;
  }
}

/**
 * Bundles the seal's worker (scripts/seal/sealWorker.ts and the lib/ modules it uses) into one ES module with
 * esbuild (tsx's own dependency), so worker threads start as plain Node modules instead of compiling TypeScript
 * through tsx in every thread (about 400 ms of CPU each). The file goes to node_modules/.cache/keytrail/, named
 * by a hash of its contents, and is rebuilt only when a source file is newer; at most once per process.
 *
 * @returns the bundle's path, or undefined when it cannot be built (workers then load through tsx).
 * @example
 * const file = await bundleSealWorker(); // …/node_modules/.cache/keytrail/seal-worker-1a2b3c4d5e6f.mjs
 */
export function bundleSealWorker(): Promise<string | undefined> {
  built ??= (async () => {
    try {
      const entry = fileURLToPath(new URL("./sealWorker.ts", import.meta.url));
      const root = fileURLToPath(new URL("../../", import.meta.url));
      const dir = join(root, "node_modules", ".cache", "keytrail");
      const recordPath = join(dir, "seal-worker.json");
      const cached = upToDate(recordPath, root);
      if (cached) return cached;
      const esbuildName = "esbuild";
      const esbuild = (await import(esbuildName)) as typeof EsbuildModule;
      const result = await esbuild.build({
        entryPoints: [entry],
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node22",
        packages: "external",
        write: false,
        metafile: true,
        logLevel: "silent",
        absWorkingDir: root,
      });
      const code = result.outputFiles[0]!.contents;
      const hash = createHash("sha256").update(code).digest("hex").slice(0, 16);
      const file = join(dir, `seal-worker-${hash}.mjs`);
      mkdirSync(dir, { recursive: true });
      if (!existsSync(file)) {
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, code);
        renameSync(tmp, file);
      } else {
        const now = new Date();
        utimesSync(file, now, now); // same contents, rebuilt from newer sources: mark it current
      }
      const record: BundleRecord = { file, inputs: Object.keys(result.metafile.inputs) };
      const tmp = `${recordPath}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(record));
      renameSync(tmp, recordPath);
      return file;
    } catch {
      return undefined;
    }
  })();
  return built;
}
