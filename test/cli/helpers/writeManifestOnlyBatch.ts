import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { computeBatchId } from "../../../lib/commit/computeBatchId.js";
import { keccak256, toHex, type Address, type Hex } from "viem";

/** Parameters of {@link writeManifestOnlyBatch}. */
export type ManifestOnlyBatch = {
  dir: string;
  chainId: number;
  ledger: Address;
  supplier: Address;
  label: string;
  count: number;
  complete?: boolean;
  restricted?: boolean;
};

/**
 * Writes a batch folder holding only manifest.json (and `.complete`): enough for custody
 * commands, which never look at keys. The root is derived from the label (not a real tree).
 *
 * @param p - see {@link ManifestOnlyBatch}.
 * @returns the batchId.
 * @example
 * const id = writeManifestOnlyBatch({ dir, chainId: 31337, ledger, supplier, label: "L1", count: 10000 });
 */
export function writeManifestOnlyBatch(p: ManifestOnlyBatch): Hex {
  mkdirSync(p.dir, { recursive: true });
  const batchId = computeBatchId(p.supplier, p.label);
  const manifest = {
    formatVersion: 1,
    chainId: p.chainId,
    ledger: p.ledger,
    supplier: p.supplier,
    label: p.label,
    batchId,
    root: keccak256(toHex(`root of ${p.label}`)),
    count: p.count,
    productId: "06901234567892",
    faceValue: "5000",
    currency: "CNY",
    expiresAt: 0,
    restricted: p.restricted === true,
    shardSize: 1024,
    shardCount: Math.ceil(p.count / 1024),
    createdAt: "2026-11-22T00:00:00.000Z",
  };
  writeFileSync(join(p.dir, "manifest.json"), JSON.stringify(manifest, null, 2));
  if (p.complete !== false) writeFileSync(join(p.dir, ".complete"), "");
  return batchId;
}
