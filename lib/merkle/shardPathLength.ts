/**
 * How many nodes the path of shard `shardIndex` holds, from its subtree root (height log2(shardSize)) to the
 * root: one per height where its ancestor has a sibling. Zero when the batch fits in one shard.
 *
 * @param batchCount - keys in the batch, at least 1.
 * @param shardSize - keys per shard, a power of two.
 * @param shardIndex - the shard, `shardIndex * shardSize < batchCount`.
 * @returns the number of 32-byte path nodes.
 * @example
 * shardPathLength(1_000_000, 1024, 0) // 10
 */
export function shardPathLength(batchCount: number, shardSize: number, shardIndex: number): number {
  let n = Math.ceil(batchCount / shardSize);
  let i = shardIndex;
  let length = 0;
  while (n > 1) {
    if ((i ^ 1) < n) length++;
    i = Math.floor(i / 2);
    n = Math.ceil(n / 2);
  }
  return length;
}
