import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { keccak256, type Hex } from "viem";
import type { BatchManifest } from "../../../lib/formats/manifest.js";
import { CliError, CliUsageError } from "../errors.js";

/**
 * Opens a batch folder written by `batch seal`: refuses a folder without `.complete` (an
 * interrupted seal is redone, never anchored), reads manifest.json and hashes its exact bytes.
 *
 * @param dir - the batch folder.
 * @returns the manifest and its keccak256 (the anchored manifestHash).
 * @example
 * const { manifest, manifestHash } = readBatchFolder("out/2026-11-A");
 */
export function readBatchFolder(dir: string): { manifest: BatchManifest; manifestHash: Hex; manifestPath: string } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    const parent = dirname(resolve(dir));
    const partial = existsSync(parent)
      ? readdirSync(parent).find((f) => f.startsWith(`${basename(resolve(dir))}.partial-`))
      : undefined;
    if (partial) {
      throw new CliError(
        `Batch folder ${dir} does not exist: only the unfinished ${join(dirname(dir), partial)} of an interrupted seal is there, and it is never anchored.`,
        {
          details: "Re-run the same `keytrail batch seal` command to finish the seal, then anchor.",
        },
      );
    }
    throw new CliUsageError(`Batch folder ${dir} does not exist.`);
  }
  const manifestPath = join(dir, "manifest.json");
  if (!existsSync(join(dir, ".complete"))) {
    throw new CliError(
      `Batch folder ${dir} has no .complete marker: its seal was interrupted or is still running, so it is not anchored.`,
      {
        details: "Re-run the same `keytrail batch seal` command to finish it, then anchor.",
      },
    );
  }
  if (!existsSync(manifestPath)) throw new CliError(`Batch folder ${dir} has no manifest.json.`);
  const bytes = readFileSync(manifestPath);
  let manifest: BatchManifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(bytes)) as BatchManifest;
  } catch (e) {
    throw new CliError(`${manifestPath} is not valid JSON: ${(e as Error).message}.`);
  }
  for (const f of ["chainId", "ledger", "supplier", "label", "batchId", "root", "count"] as const) {
    if (manifest[f] === undefined || manifest[f] === null) throw new CliError(`${manifestPath} lacks the field ${f}.`);
  }
  return { manifest, manifestHash: keccak256(bytes), manifestPath };
}
