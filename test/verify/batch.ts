/** A small sealed batch for verification tests: keys, salts, commitments, tree, shards, payloads. */
import { hexToBytes } from "viem";
import type { Address, Hex } from "viem";
import { computeBatchId } from "../../lib/commit/computeBatchId.js";
import { deriveSalt } from "../../lib/commit/deriveSalt.js";
import { computeCommitment } from "../../lib/commit/computeCommitment.js";
import { normaliseKey } from "../../lib/keys/normaliseKey.js";
import { encodeKeyBytes } from "../../lib/keys/encodeKeyBytes.js";
import { buildTree } from "../../lib/merkle/buildTree.js";
import { getProof } from "../../lib/merkle/getProof.js";
import { buildProofShard } from "../../lib/merkle/buildProofShard.js";
import { encodeProofShard } from "../../lib/merkle/encodeProofShard.js";
import { createKeccakKernelSync } from "../../lib/hash/createKeccakKernelSync.js";
import { encodePayload } from "../../lib/payload/encodePayload.js";
import type { KeyStatus } from "../../lib/schemas/keyStatus.js";

export type TestBatch = ReturnType<typeof makeBatch>;

export function makeBatch(opts: {
  supplier: Address;
  ledger: Address;
  chainId: number;
  label: string;
  count: number;
  shardSize: number;
  caseInsensitive?: boolean;
}) {
  const { supplier, ledger, chainId, label, count, shardSize } = opts;
  const batchId = computeBatchId(supplier, label);
  const secret = `0x${"5e".repeat(32)}` as Hex;
  const keys = Array.from({ length: count }, (_, i) => ({
    serial: `S${String(i).padStart(6, "0")}`,
    pin: `PIN${(i * 7919 + 12345).toString(36).toUpperCase()}X${i}`,
  }));
  const salts = keys.map((_, i) => deriveSalt(secret, batchId, i));
  const commitments = keys.map((k, i) =>
    computeCommitment(salts[i]!, encodeKeyBytes(normaliseKey(k, { caseInsensitive: opts.caseInsensitive }))),
  );
  const packed = new Uint8Array(count * 32);
  commitments.forEach((c, i) => packed.set(hexToBytes(c), i * 32));
  const kernel = createKeccakKernelSync();
  const tree = buildTree(kernel, { leaves: kernel.leaves(hexToBytes(batchId), 0, packed, count) });
  const shards = new Map<number, Uint8Array>();
  for (let s = 0; s * shardSize < count; s++)
    shards.set(s, encodeProofShard(buildProofShard(tree, packed, s, shardSize)));
  const keyCase = opts.caseInsensitive ? ("upper" as const) : ("exact" as const);
  const full = (index: number, extra: { seller?: Address; receiptSecret?: Hex } = {}) =>
    encodePayload({
      form: "full",
      chainId,
      ledger,
      batchId,
      index,
      salt: salts[index]!,
      commitment: commitments[index]!,
      proof: getProof(tree, index),
      keyCase,
      ...extra,
    });
  const short = (index: number, extra: { seller?: Address; commitment?: Hex; receiptSecret?: Hex } = {}) =>
    encodePayload({ form: "short", chainId, ledger, batchId, index, salt: salts[index]!, keyCase, ...extra });
  const fetchShard = async (id: Hex, s: number) => {
    const b = id === batchId ? shards.get(s) : undefined;
    if (!b) throw new Error(`no shard ${s} of batch ${id}`);
    return b;
  };
  const status = (patch: Partial<KeyStatus> = {}): KeyStatus => ({
    root: tree.root,
    supplier,
    count,
    expiresAt: 0,
    restricted: false,
    holder: supplier,
    segmentStart: 0,
    segmentEnd: count,
    frozenReason: "none",
    redeemed: false,
    ...patch,
  });
  return {
    batchId,
    secret,
    keys,
    salts,
    commitments,
    tree,
    root: tree.root,
    shards,
    full,
    short,
    fetchShard,
    status,
    chainId,
    ledger,
    supplier,
    count,
  };
}
