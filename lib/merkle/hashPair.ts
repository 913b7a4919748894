import { keccak_256 } from "@noble/hashes/sha3.js";

const buf = new Uint8Array(64);

/**
 * The parent of two nodes: `keccak256(min(a, b) ‖ max(a, b))`, the smaller in unsigned byte order first
 * (OpenZeppelin MerkleProof's commutative hash).
 *
 * @param a - a 32-byte node.
 * @param b - a 32-byte node.
 * @returns the 32-byte parent.
 * @example
 * const parent = hashPair(left, right);
 */
export function hashPair(a: Uint8Array, b: Uint8Array): Uint8Array {
  let order = 0;
  for (let i = 0; i < 32; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) {
      order = d;
      break;
    }
  }
  if (order <= 0) {
    buf.set(a.subarray(0, 32), 0);
    buf.set(b.subarray(0, 32), 32);
  } else {
    buf.set(b.subarray(0, 32), 0);
    buf.set(a.subarray(0, 32), 32);
  }
  return keccak_256(buf);
}
