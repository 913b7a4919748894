import { MerkleArgumentError } from "./errors.js";
import { writeHex32 } from "./internal/hex.js";
import { shardPathLength } from "./shardPathLength.js";
import type { ProofShard } from "./types.js";

/** `KTPS`: KeyTrail proof shard. */
export const PROOF_SHARD_MAGIC = 0x4b545053;
/** Bytes before the commitments. */
export const PROOF_SHARD_HEADER = 24;

/**
 * Serialises a proof shard in the binary layout of docs/MERKLE.md ("Proof shard file"): a 24-byte header
 * (magic `KTPS`, version, log2 shard size, path length, reserved, shard index, key count, batch count), the
 * commitments, then the path. Big-endian integers.
 *
 * @param shard - from `buildProofShard`.
 * @returns the bytes of `shards/<shardIndex>.bin`.
 * @throws {MerkleArgumentError} when the fields are inconsistent (the encoder writes only decodable shards).
 * @example
 * await writeFile(`shards/${shard.shardIndex}.bin`, encodeProofShard(shard));
 */
export function encodeProofShard(shard: ProofShard): Uint8Array {
  const { shardSize, shardIndex, count, batchCount, commitments, path } = shard;
  const log2 = Math.log2(shardSize);
  if (!Number.isInteger(log2) || log2 < 0 || log2 > 24)
    throw new MerkleArgumentError(`Invalid shard size ${shardSize}: expected a power of two up to 2^24.`);
  if (!Number.isSafeInteger(batchCount) || batchCount < 1 || batchCount >= 2 ** 48)
    throw new MerkleArgumentError(`Invalid batch count ${batchCount}: expected 1 to 2^48 - 1.`);
  if (
    !Number.isSafeInteger(shardIndex) ||
    shardIndex < 0 ||
    shardIndex * shardSize >= batchCount ||
    shardIndex >= 2 ** 32
  )
    throw new MerkleArgumentError(
      `Invalid shard index ${shardIndex} for ${batchCount} keys in shards of ${shardSize}.`,
    );
  if (count !== Math.min(shardSize, batchCount - shardIndex * shardSize) || commitments.length !== count * 32)
    throw new MerkleArgumentError(
      `Invalid shard ${shardIndex}: ${count} keys and ${commitments.length} bytes of commitments do not fit ${batchCount} keys in shards of ${shardSize}.`,
    );
  if (path.length !== shardPathLength(batchCount, shardSize, shardIndex))
    throw new MerkleArgumentError(
      `Invalid shard ${shardIndex}: path of ${path.length} nodes, expected ${shardPathLength(batchCount, shardSize, shardIndex)}.`,
    );
  const out = new Uint8Array(PROOF_SHARD_HEADER + 32 * (count + path.length));
  const view = new DataView(out.buffer);
  view.setUint32(0, PROOF_SHARD_MAGIC);
  out[4] = 1;
  out[5] = log2;
  out[6] = path.length;
  out[7] = 0;
  view.setUint32(8, shardIndex);
  view.setUint32(12, count);
  view.setUint32(16, Math.floor(batchCount / 2 ** 32));
  view.setUint32(20, batchCount >>> 0);
  out.set(commitments, PROOF_SHARD_HEADER);
  let o = PROOF_SHARD_HEADER + 32 * count;
  for (const node of path) {
    if (!writeHex32(node, out, o))
      throw new MerkleArgumentError(
        `Invalid path node ${JSON.stringify(node)}: expected 0x followed by 64 hex digits.`,
      );
    o += 32;
  }
  return out;
}
