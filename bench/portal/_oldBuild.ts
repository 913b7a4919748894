/**
 * Builds the portal of an earlier commit, for the portal benchmark's same-run anchor: the commit's
 * `portal/`, `lib/`, package.json and tsconfig.json are extracted with `git archive` into a
 * temporary folder (the repository and its worktrees are not touched), that folder borrows this
 * checkout's node_modules through a symlink, and Astro builds it there.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** A built portal of an earlier commit: its output folders, and the source folder to remove. */
export type OldPortal = { commit: string; builds: string[]; close: () => void };

/**
 * Extracts `commit` and builds its portal once per environment.
 *
 * @param repoRoot - this repository
 * @param commit - the commit (a hash or ref this repository knows)
 * @param envs - KEYTRAIL_* configuration of each build
 * @returns the output folders, in the order of `envs`
 * @example
 * const old = await buildOldPortal(repoRoot, "dbff885", [{ KEYTRAIL_CHAIN_ID: "31337", ... }]);
 */
export async function buildOldPortal(
  repoRoot: string,
  commit: string,
  envs: Record<string, string>[],
): Promise<OldPortal> {
  const hash = execFileSync("git", ["rev-parse", "--verify", `${commit}^{commit}`], { cwd: repoRoot })
    .toString()
    .trim();
  const src = mkdtempSync(join(tmpdir(), "keytrail-old-portal-"));
  const close = () => rmSync(src, { recursive: true, force: true });
  try {
    const tar = execFileSync(
      "git",
      ["archive", "--format=tar", hash, "portal", "lib", "package.json", "tsconfig.json"],
      {
        cwd: repoRoot,
        maxBuffer: 256 * 1024 * 1024,
      },
    );
    execFileSync("tar", ["-x", "-C", src], { input: tar });
    symlinkSync(realpathSync(resolve(repoRoot, "node_modules")), join(src, "node_modules"), "dir");
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("KEYTRAIL_")) clean[k] = v;
    const builds: string[] = [];
    for (const [i, env] of envs.entries()) {
      const out = join(src, `dist-${i}`);
      mkdirSync(out);
      let log = "";
      const code = await new Promise<number>((done, fail) => {
        const child = spawn(
          process.execPath,
          [join(src, "node_modules", "astro", "bin", "astro.mjs"), "build", "--root", "portal"],
          {
            cwd: src,
            env: { ...clean, ...env, KEYTRAIL_PORTAL_OUT_DIR: out, ASTRO_TELEMETRY_DISABLED: "1", FORCE_COLOR: "0" },
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
        child.stdout.on("data", (c: Buffer) => (log += c.toString()));
        child.stderr.on("data", (c: Buffer) => (log += c.toString()));
        child.on("error", fail);
        child.on("close", (c) => done(c ?? 1));
      });
      if (code !== 0) throw new Error(`astro build of ${hash.slice(0, 10)} failed (${code}):\n${log}`);
      builds.push(out);
    }
    return { commit: hash, builds, close };
  } catch (e) {
    close();
    throw e;
  }
}
