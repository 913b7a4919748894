import { keccak_256 } from "@noble/hashes/sha3.js";
import type { Hex } from "viem";
import type { KeccakKernel } from "../hash/types.js";
import { ProofShardError } from "./errors.js";
import { hashPair } from "./hashPair.js";
import { readHex32, writeHex32 } from "./internal/hex.js";
import type { ProofShard } from "./types.js";

/** Options of {@link proofFromShard}. */
export type ProofFromShardOptions = {
  /** Hash with the batch kernel (faster for large shards); without it, a pure-JavaScript keccak. */
  kernel?: KeccakKernel | undefined;
};

/**
 * The full Merkle proof of key `index` from its proof shard: rebuilds the shard's subtree from its commitments
 * (standard leaves, sorted pairs, odd nodes promoted exactly as in the whole tree) and appends the shard's path.
 * The result verifies against the batch root with `verifyProof(root, leafHash(batchId, index, commitment), proof)`.
 *
 * @param shard - from `decodeProofShard`.
 * @param index - the key index (in the batch), inside the shard.
 * @param batchId - the batch id; leaves commit to it.
 * @param options - optional kernel.
 * @returns the key's commitment and its proof.
 * @throws {ProofShardError} code INDEX when the key is not in this shard, BATCH for a malformed batch id.
 * @example
 * const { commitment, proof } = proofFromShard(decodeProofShard(bytes), 1234, batchId);
 */
export function proofFromShard(
  shard: ProofShard,
  index: number,
  batchId: Hex,
  options: ProofFromShardOptions = {},
): { commitment: Hex; proof: Hex[] } {
  const start = shard.shardIndex * shard.shardSize;
  if (!Number.isSafeInteger(index) || index < start || index >= start + shard.count)
    throw new ProofShardError(
      "INDEX",
      `key ${index} is not in shard ${shard.shardIndex} (keys ${start} to ${start + shard.count - 1}).`,
    );
  const batch = new Uint8Array(32);
  if (!writeHex32(batchId, batch, 0))
    throw new ProofShardError("BATCH", `batchId ${JSON.stringify(batchId)}: expected 0x followed by 64 hex digits.`);
  const n = shard.count;
  let layer: Uint8Array;
  const kernel = options.kernel;
  if (kernel) {
    layer = kernel.leaves(batch, start, shard.commitments, n);
  } else {
    layer = new Uint8Array(n * 32);
    const buf = new Uint8Array(96);
    buf.set(batch, 0);
    for (let k = 0; k < n; k++) {
      let v = start + k;
      for (let b = 63; b >= 56; b--) {
        buf[b] = v % 256;
        v = Math.floor(v / 256);
      }
      buf.set(shard.commitments.subarray(k * 32, k * 32 + 32), 64);
      layer.set(keccak_256(keccak_256(buf)), k * 32);
    }
  }
  const proof: Hex[] = [];
  let i = index - start;
  let size = n;
  while (size > 1) {
    const sibling = i ^ 1;
    if (sibling < size) proof.push(readHex32(layer, sibling * 32));
    if (kernel) {
      layer = kernel.hashPairs(layer, size);
    } else {
      const up = new Uint8Array(Math.ceil(size / 2) * 32);
      for (let k = 0; 2 * k < size; k++) {
        up.set(
          2 * k + 1 < size
            ? hashPair(layer.subarray(64 * k, 64 * k + 32), layer.subarray(64 * k + 32, 64 * k + 64))
            : layer.subarray(64 * k, 64 * k + 32),
          32 * k,
        );
      }
      layer = up;
    }
    i >>>= 1;
    size = Math.ceil(size / 2);
  }
  proof.push(...shard.path);
  return { commitment: readHex32(shard.commitments, (index - start) * 32), proof };
}
