import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runAstroBuild } from "../../../scripts/portal/runAstroBuild.js";

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
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("KEYTRAIL_")) clean[k] = v;
  const { code, log } = await runAstroBuild({
    env: { ...clean, ...env, KEYTRAIL_PORTAL_OUT_DIR: out, ASTRO_TELEMETRY_DISABLED: "1", FORCE_COLOR: "0" },
    output: "pipe",
  });
  if (code !== 0) throw new Error(`astro build failed (${code}):\n${log}`);
  return out;
}
