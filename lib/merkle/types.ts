import type { Hex } from "viem";

/**
 * A layered Merkle tree (docs/MERKLE.md): `layers[0]` holds the leaves in index order, `layers[h]` the nodes
 * of height h, each layer a packed buffer of 32-byte nodes; the last layer holds the root alone.
 */
export type MerkleTree = {
  /** Number of leaves (keys). */
  readonly count: number;
  /** Layers bottom-up; layer h has `nodeCount(count, h)` nodes of 32 bytes. */
  readonly layers: readonly Uint8Array[];
  /** The root, lower-case hex. */
  readonly root: Hex;
};

/**
 * One proof shard (docs/MERKLE.md, "Proof shards"): the commitments of the keys
 * [shardIndex * shardSize, shardIndex * shardSize + count) and the path from the shard's subtree root to the
 * tree root.
 */
export type ProofShard = {
  /** Format version (1). */
  readonly version: 1;
  /** Keys per shard, a power of two. */
  readonly shardSize: number;
  /** Which shard. */
  readonly shardIndex: number;
  /** Keys in this shard (`shardSize`, or fewer in the last shard). */
  readonly count: number;
  /** Keys in the whole batch. */
  readonly batchCount: number;
  /** `count` commitments of 32 bytes, in index order. */
  readonly commitments: Uint8Array;
  /** Sibling nodes from the shard subtree root up to the tree root (promoted levels have none). */
  readonly path: readonly Hex[];
};
