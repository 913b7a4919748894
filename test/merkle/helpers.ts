import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, encodeAbiParameters, hexToBytes, keccak256 } from "viem";
import type { Hex } from "viem";

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
export function seededBytes(seed: number, length: number): Uint8Array {
  let x = seed >>> 0 || 0x9e3779b9;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 255;
  }
  return out;
}

/** The reference leaf: viem's ABI encoder and keccak256, as StandardMerkleTree defines it. */
export function referenceLeaf(batchId: Hex, index: number | bigint, commitment: Hex): Hex {
  return keccak256(
    keccak256(
      encodeAbiParameters(
        [{ type: "bytes32" }, { type: "uint256" }, { type: "bytes32" }],
        [batchId, BigInt(index), commitment],
      ),
    ),
  );
}

/** Commitments and leaves of a batch of `count` keys, computed with the reference functions only. */
export function referenceBatch(count: number, seed = 1): { batchId: Hex; commitments: Hex[]; leaves: Hex[] } {
  const batchId = bytesToHex(seededBytes(seed, 32));
  const raw = seededBytes(seed + 1, count * 32);
  const commitments = Array.from({ length: count }, (_, i) => bytesToHex(raw.subarray(i * 32, i * 32 + 32)));
  const leaves = commitments.map((c, i) => referenceLeaf(batchId, i, c));
  return { batchId, commitments, leaves };
}

export function packHex(list: readonly Hex[]): Uint8Array {
  const out = new Uint8Array(list.length * 32);
  list.forEach((h, i) => out.set(hexToBytes(h), i * 32));
  return out;
}

/** keccak256 for merkletreejs (Buffer in, Buffer out). */
export function keccakBuffer(data: Buffer): Buffer {
  return Buffer.from(keccak_256(data));
}
