import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Hex } from "viem";
import { CliUsageError } from "../errors.js";

/**
 * Parses `--batch`: a batchId (0x + 64 hex digits) or a batch folder written by `batch seal`
 * (its manifest.json names the batchId).
 *
 * @param text - the input.
 * @returns the batchId.
 * @example
 * parseBatchRef("out/batch-2026-11") // "0x3f…"
 */
export function parseBatchRef(text: string): Hex {
  const t = text.trim();
  if (/^0x[0-9a-fA-F]{64}$/.test(t)) return t.toLowerCase() as Hex;
  if (existsSync(t) && statSync(t).isDirectory()) {
    const m = join(t, "manifest.json");
    if (!existsSync(m)) throw new CliUsageError(`--batch ${JSON.stringify(text)} is a folder without manifest.json.`);
    const id = (JSON.parse(readFileSync(m, "utf8")) as { batchId?: string }).batchId;
    if (!id || !/^0x[0-9a-fA-F]{64}$/.test(id)) throw new CliUsageError(`${m} has no valid batchId.`);
    return id.toLowerCase() as Hex;
  }
  throw new CliUsageError(
    `--batch ${JSON.stringify(text)} is neither a batchId (0x and 64 hex digits) nor a batch folder.`,
  );
}
