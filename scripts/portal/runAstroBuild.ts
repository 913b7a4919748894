import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The portal's Astro project. */
export const portalRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../portal");
/** The repository (its node_modules holds Astro and the packages the build imports). */
const repoRoot = resolve(portalRoot, "..");

/** Options of {@link runAstroBuild}. */
export type RunAstroBuildOptions = {
  /** The build's environment (KEYTRAIL_* configuration, KEYTRAIL_PORTAL_OUT_DIR). */
  env: NodeJS.ProcessEnv;
  /** "inherit" shows Astro's output; "pipe" collects it into the result's `log`. */
  output: "inherit" | "pipe";
};

/**
 * `astro build` of the portal in a working folder of its own, inside the repository.
 *
 * When the output folder lies outside Astro's working folder, Astro writes its prerender bundle
 * to `<cwd>/.astro/.prerender` and imports it from there: that folder must be inside the
 * repository (so the bundle finds the project's packages, whatever the caller's folder) and must
 * be one per build (two builds at once would overwrite each other's chunks). Each build gets
 * `out/astro-build-XXXXXX/` and removes it afterwards.
 *
 * @param options - see {@link RunAstroBuildOptions}.
 * @returns Astro's exit code and, with `output: "pipe"`, what it printed.
 * @example
 * const { code } = await runAstroBuild({ env: { ...process.env, KEYTRAIL_PORTAL_OUT_DIR: out }, output: "inherit" });
 */
export async function runAstroBuild(options: RunAstroBuildOptions): Promise<{ code: number; log: string }> {
  const astroBin = join(repoRoot, "node_modules", "astro", "bin", "astro.mjs");
  const workRoot = join(repoRoot, "out");
  mkdirSync(workRoot, { recursive: true });
  const cwd = mkdtempSync(join(workRoot, "astro-build-"));
  let log = "";
  try {
    const code = await new Promise<number>((done, fail) => {
      const child = spawn(process.execPath, [astroBin, "build", "--root", portalRoot], {
        cwd,
        env: options.env,
        stdio: options.output === "inherit" ? "inherit" : ["ignore", "pipe", "pipe"],
      });
      child.stdout?.on("data", (c: Buffer) => (log += c.toString()));
      child.stderr?.on("data", (c: Buffer) => (log += c.toString()));
      child.on("error", fail);
      child.on("close", (c) => done(c ?? 1));
    });
    return { code, log };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}
