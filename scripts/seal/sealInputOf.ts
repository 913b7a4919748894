import { createHash } from "node:crypto";
import type { Hex } from "viem";
import type { ReadKeyFileOptions, SealInput, SealReadOptions } from "./types.js";

/**
 * The record of what a seal is made from: the key file's SHA-256 and the reading options that decide which keys
 * are sealed (encoding, format, header, columns, case rule, declared lengths; defaults spelt out, so leaving an
 * option out and giving its default hash the same), and `inputHash` over both. `batch seal` re-run on a folder
 * that holds a complete seal compares it: the same input changes nothing, another input is refused.
 * Other parameters (face value, expiry…) are in manifest.json.
 *
 * @param batchId - the sealed batch.
 * @param keyFile - the key file's base name.
 * @param keyFileSha256 - SHA-256 of its bytes (0x + 64 hex digits).
 * @param read - the reading options given to the seal.
 * @returns the {@link SealInput} (written to seal-input.json).
 * @example
 * const sha256 = `0x${createHash("sha256").update(bytes).digest("hex")}` as const;
 * const input = sealInputOf(batchId, "keys.csv", sha256, { caseInsensitive: true });
 */
export function sealInputOf(
  batchId: Hex,
  keyFile: string,
  keyFileSha256: Hex,
  read: Omit<ReadKeyFileOptions, "file">,
): SealInput {
  const normalised: SealReadOptions = {
    encoding: read.encoding ?? "auto",
    format: read.format ?? "auto",
    header: read.header ?? "auto",
    columns: read.columns ? { serial: read.columns.serial ?? null, pin: read.columns.pin } : null,
    caseInsensitive: read.caseInsensitive === true,
    serialLength: read.serialLength ?? null,
    pinLength: read.pinLength ?? null,
  };
  const sha256 = keyFileSha256.toLowerCase() as Hex;
  const text = `keytrail-seal-input-v1\n${JSON.stringify(normalised)}\n${sha256}`;
  const inputHash = createHash("sha256").update(text).digest("hex");
  return { batchId, keyFile, keyFileSha256: sha256, read: normalised, inputHash: `0x${inputHash}` };
}
