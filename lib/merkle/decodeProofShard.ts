import type { Hex } from "viem";
import { PROOF_SHARD_HEADER, PROOF_SHARD_MAGIC } from "./encodeProofShard.js";
import { ProofShardError } from "./errors.js";
import { readHex32 } from "./internal/hex.js";
import { shardPathLength } from "./shardPathLength.js";
import type { ProofShard } from "./types.js";

/**
 * Reads a proof shard file (docs/MERKLE.md, "Proof shard file"), checking every field: the bytes may come from
 * anywhere (a CDN, a cache), so anything but an exact, self-consistent shard is refused.
 *
 * @param bytes - the contents of `shards/<s>.bin`.
 * @returns the shard.
 * @throws {ProofShardError} with `code` naming the rule broken (TRUNCATED, MAGIC, VERSION, SHARD_SIZE, RESERVED,
 *   RANGE, COUNT, PATH_LENGTH, LENGTH).
 * @example
 * const shard = decodeProofShard(new Uint8Array(await (await fetch(`/batches/${batchId}/shards/3.bin`)).arrayBuffer()));
 */
export function decodeProofShard(bytes: Uint8Array): ProofShard {
  if (!(bytes instanceof Uint8Array))
    throw new ProofShardError("TRUNCATED", `expected bytes (Uint8Array), got ${typeof bytes}.`);
  if (bytes.length < PROOF_SHARD_HEADER)
    throw new ProofShardError(
      "TRUNCATED",
      `${bytes.length} bytes, expected at least the ${PROOF_SHARD_HEADER}-byte header.`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic !== PROOF_SHARD_MAGIC)
    throw new ProofShardError(
      "MAGIC",
      `starts with 0x${magic.toString(16).padStart(8, "0")}, expected 0x4b545053 ("KTPS").`,
    );
  if (bytes[4] !== 1) throw new ProofShardError("VERSION", `version ${bytes[4]}, expected 1.`);
  const log2 = bytes[5]!;
  if (log2 > 24) throw new ProofShardError("SHARD_SIZE", `shard size 2^${log2}, expected at most 2^24.`);
  if (bytes[7] !== 0) throw new ProofShardError("RESERVED", `reserved byte 7 is ${bytes[7]}, expected 0.`);
  const shardSize = 2 ** log2;
  const pathLength = bytes[6]!;
  const shardIndex = view.getUint32(8);
  const count = view.getUint32(12);
  const high = view.getUint32(16);
  const batchCount = high * 2 ** 32 + view.getUint32(20);
  if (high >= 1 << 16 || batchCount < 1)
    throw new ProofShardError("RANGE", `batch count ${batchCount}, expected 1 to 2^48 - 1.`);
  const start = shardIndex * shardSize;
  if (start >= batchCount)
    throw new ProofShardError(
      "RANGE",
      `shard ${shardIndex} of size ${shardSize} starts at key ${start}, beyond the batch's ${batchCount} keys.`,
    );
  const expectedCount = Math.min(shardSize, batchCount - start);
  if (count !== expectedCount)
    throw new ProofShardError(
      "COUNT",
      `${count} keys, expected ${expectedCount} (shard ${shardIndex} of ${batchCount} keys in shards of ${shardSize}).`,
    );
  const expectedPath = shardPathLength(batchCount, shardSize, shardIndex);
  if (pathLength !== expectedPath)
    throw new ProofShardError(
      "PATH_LENGTH",
      `path of ${pathLength} nodes, expected ${expectedPath} for shard ${shardIndex} of ${batchCount} keys.`,
    );
  const length = PROOF_SHARD_HEADER + 32 * (count + pathLength);
  if (bytes.length !== length)
    throw new ProofShardError("LENGTH", `${bytes.length} bytes, expected exactly ${length}.`);
  const path: Hex[] = [];
  for (let k = 0, o = PROOF_SHARD_HEADER + 32 * count; k < pathLength; k++, o += 32) path.push(readHex32(bytes, o));
  return {
    version: 1,
    shardSize,
    shardIndex,
    count,
    batchCount,
    commitments: bytes.slice(PROOF_SHARD_HEADER, PROOF_SHARD_HEADER + 32 * count),
    path,
  };
}
