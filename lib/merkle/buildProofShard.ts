import type { Hex } from "viem";
import { MerkleArgumentError } from "./errors.js";
import { readHex32 } from "./internal/hex.js";
import type { MerkleTree, ProofShard } from "./types.js";

/**
 * Cuts proof shard `shardIndex` out of a built tree: the commitments of its keys and the path from the shard's
 * subtree root (the node of height log2(shardSize) above its keys) to the root.
 *
 * @param tree - from `buildTree`.
 * @param commitments - all commitments of the batch, packed (`tree.count * 32` bytes).
 * @param shardIndex - the shard, `shardIndex * shardSize < tree.count`.
 * @param shardSize - keys per shard, a power of two from 1 to 2^24.
 * @returns the shard (encode it with `encodeProofShard`).
 * @throws {MerkleArgumentError} for a shard out of range, a bad shard size or commitments of the wrong size.
 * @example
 * const bytes = encodeProofShard(buildProofShard(tree, commitments, 0, 1024));
 */
export function buildProofShard(
  tree: MerkleTree,
  commitments: Uint8Array,
  shardIndex: number,
  shardSize: number,
): ProofShard {
  if (!Number.isInteger(shardSize) || shardSize < 1 || shardSize > 1 << 24 || (shardSize & (shardSize - 1)) !== 0)
    throw new MerkleArgumentError(`Invalid shard size ${shardSize}: expected a power of two from 1 to 16,777,216.`);
  const start = shardIndex * shardSize;
  if (!Number.isSafeInteger(shardIndex) || shardIndex < 0 || start >= tree.count)
    throw new MerkleArgumentError(
      `Invalid shard index ${shardIndex}: expected 0 to ${Math.ceil(tree.count / shardSize) - 1} for ${tree.count} keys.`,
    );
  if (commitments.length !== tree.count * 32)
    throw new MerkleArgumentError(
      `Invalid commitments of ${commitments.length} bytes: expected ${tree.count} commitments of 32 bytes.`,
    );
  const count = Math.min(shardSize, tree.count - start);
  const height = Math.log2(shardSize);
  const path: Hex[] = [];
  let i = shardIndex;
  for (let h = height; h < tree.layers.length - 1; h++) {
    const layer = tree.layers[h]!;
    const sibling = i ^ 1;
    if (sibling * 32 < layer.length) path.push(readHex32(layer, sibling * 32));
    i >>>= 1;
  }
  return {
    version: 1,
    shardSize,
    shardIndex,
    count,
    batchCount: tree.count,
    commitments: commitments.slice(start * 32, (start + count) * 32),
    path,
  };
}
