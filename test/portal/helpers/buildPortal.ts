import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The repository root. */
export const repoRoot = resolve(import.meta.dirname, "../../..");

/**
 * Builds the portal with `astro build --root portal` into a fresh temporary folder.
 *
 * @param env - KEYTRAIL_* configuration variables
 * @returns the output folder
 * @example
 * const dist = await buildPortal({ KEYTRAIL_CHAIN_ID: "31337", ... });
 */
export async function buildPortal(env: Record<string, string>): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), "keytrail-portal-"));
  const astro = join(repoRoot, "node_modules", "astro", "bin", "astro.mjs");
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("KEYTRAIL_")) clean[k] = v;
  let log = "";
  const code = await new Promise<number>((ok, fail) => {
    const child = spawn(process.execPath, [astro, "build", "--root", join(repoRoot, "portal")], {
      cwd: repoRoot,
      env: { ...clean, ...env, KEYTRAIL_PORTAL_OUT_DIR: out, ASTRO_TELEMETRY_DISABLED: "1", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (c: Buffer) => (log += c.toString()));
    child.stderr.on("data", (c: Buffer) => (log += c.toString()));
    child.on("error", fail);
    child.on("close", (c) => ok(c ?? 1));
  });
  if (code !== 0) throw new Error(`astro build failed (${code}):\n${log}`);
  return out;
}
