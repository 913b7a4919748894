import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as EsbuildModule from "esbuild";

let built: Promise<string | undefined> | undefined;

/**
 * Bundles the seal's worker (scripts/seal/sealWorker.ts and the lib/ modules it uses) into one ES module with
 * esbuild (tsx's own dependency), so worker threads start as plain Node modules instead of compiling TypeScript
 * through tsx in every thread (about 400 ms of CPU each). The file goes to node_modules/.cache/keytrail/, named
 * by a hash of its contents; it is built once per process.
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
        logLevel: "silent",
        absWorkingDir: root,
      });
      const code = result.outputFiles[0]!.contents;
      const hash = createHash("sha256").update(code).digest("hex").slice(0, 16);
      const dir = join(root, "node_modules", ".cache", "keytrail");
      const file = join(dir, `seal-worker-${hash}.mjs`);
      if (!existsSync(file)) {
        mkdirSync(dir, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, code);
        renameSync(tmp, file);
      }
      return file;
    } catch {
      return undefined;
    }
  })();
  return built;
}
