import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, type Hex } from "viem";
import type { LedgerSnapshot } from "./types.js";
import { writeCanonicalSnapshot } from "./internal/writeCanonicalSnapshot.js";

/**
 * The ledger's state digest: keccak256 of the snapshot's canonical encoding (docs/STATE-DIGEST.md
 * describes it byte by byte, with a test vector). Deterministic: the snapshot is canonicalised
 * first, so list order, letter case, segment splits and zero redemption words do not matter —
 * the replay and the indexer agree whenever their states agree.
 *
 * @param snapshot A snapshot (from `toSnapshot`, or built from an indexer's database).
 * @returns The digest, 0x-prefixed 32 bytes.
 * @throws InvalidSnapshotError when a field cannot be encoded (bad length, out of range, duplicate).
 * @example
 * const digest = computeStateDigest(toSnapshot(state));
 */
export function computeStateDigest(snapshot: LedgerSnapshot): Hex {
  const h = keccak_256.create();
  writeCanonicalSnapshot(snapshot, (chunk) => h.update(chunk));
  return bytesToHex(h.digest());
}
