import { keccak256, pad, toHex, type Hex } from "viem";
import { CliError } from "../errors.js";
import type { BatchRecord } from "../../../lib/state/v1/types.js";
import type { BatchManifest } from "../../../lib/formats/manifest.js";

/** The contract's AnchorParams struct: a batch record less what the contract derives (id, supplier). */
export type AnchorParams = Omit<BatchRecord, "batchId" | "supplier">;

/**
 * Builds anchorBatch's parameters from a batch manifest. productId: a bytes32 as written, a GTIN
 * (digits) left-padded, or any other SKU text hashed.
 *
 * @param manifest - the manifest.
 * @param manifestHash - keccak256 of manifest.json's bytes.
 * @param manifestURI - where the manifest is published ("" if not yet).
 * @returns the struct.
 * @example
 * toAnchorParams(manifest, manifestHash, "https://example.com/b/2026-11-A/manifest.json")
 */
export function toAnchorParams(manifest: BatchManifest, manifestHash: Hex, manifestURI: string): AnchorParams {
  const pid = String(manifest.productId ?? "");
  const productId: Hex = /^0x[0-9a-fA-F]{64}$/.test(pid)
    ? (pid as Hex)
    : /^\d{1,30}$/.test(pid)
      ? pad(toHex(BigInt(pid)), { size: 32 })
      : keccak256(toHex(pid));
  const cur = String(manifest.currency ?? "");
  if (!/^[A-Z]{3}$/.test(cur))
    throw new CliError(`Manifest currency ${JSON.stringify(cur)} is not a three-letter ISO 4217 code.`);
  return {
    label: manifest.label,
    root: manifest.root,
    count: BigInt(manifest.count),
    productId,
    faceValue: BigInt(manifest.faceValue ?? 0),
    currency: toHex(cur),
    expiresAt: BigInt(manifest.expiresAt ?? 0),
    restricted: Boolean(manifest.restricted),
    manifestHash,
    manifestURI,
  };
}
