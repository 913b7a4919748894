import type { Hex } from "viem";
import { hashPair } from "./hashPair.js";
import { writeHex32 } from "./internal/hex.js";

/**
 * Checks a Merkle proof the way OpenZeppelin's `MerkleProof.verify` does: folds the sibling nodes into the leaf
 * with the sorted-pair hash and compares with the root. Malformed input (not 32-byte hex) verifies as false.
 *
 * @param root - the batch root (32 bytes hex).
 * @param leaf - the leaf, from {@link leafHash}.
 * @param proof - sibling nodes bottom-up.
 * @returns whether the proof leads from the leaf to the root.
 * @example
 * verifyProof(root, leafHash(batchId, index, commitment), proof) // true
 */
export function verifyProof(root: Hex, leaf: Hex, proof: readonly Hex[]): boolean {
  if (!Array.isArray(proof) || proof.length > 256) return false;
  const expected = new Uint8Array(32);
  let node: Uint8Array = new Uint8Array(32);
  const sibling = new Uint8Array(32);
  if (!writeHex32(root, expected, 0) || !writeHex32(leaf, node, 0)) return false;
  for (const p of proof) {
    if (!writeHex32(p, sibling, 0)) return false;
    node = hashPair(node, sibling);
  }
  let diff = 0;
  for (let i = 0; i < 32; i++) diff |= node[i]! ^ expected[i]!;
  return diff === 0;
}
