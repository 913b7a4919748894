import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import fc from "fast-check";
import { hexToBytes } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { createKeccakKernel } from "../../lib/hash/createKeccakKernel.js";
import type { KeccakKernel } from "../../lib/hash/types.js";
import { buildProofShard } from "../../lib/merkle/buildProofShard.js";
import { buildTree } from "../../lib/merkle/buildTree.js";
import { decodeProofShard } from "../../lib/merkle/decodeProofShard.js";
import { encodeProofShard } from "../../lib/merkle/encodeProofShard.js";
import { ProofShardError } from "../../lib/merkle/errors.js";
import { getProof } from "../../lib/merkle/getProof.js";
import { leafHash } from "../../lib/merkle/leafHash.js";
import { proofFromShard } from "../../lib/merkle/proofFromShard.js";
import { shardPathLength } from "../../lib/merkle/shardPathLength.js";
import { verifyProof } from "../../lib/merkle/verifyProof.js";
import { packHex, referenceBatch } from "./helpers.js";

const TYPES = ["bytes32", "uint256", "bytes32"];

function batch(kernel: KeccakKernel, n: number, seed: number) {
  const ref = referenceBatch(n, seed);
  const commitments = packHex(ref.commitments);
  const tree = buildTree(kernel, { leaves: kernel.leaves(hexToBytes(ref.batchId), 0, commitments, n) });
  return { ...ref, packed: commitments, tree };
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ProofShardError) return e.code;
    throw e;
  }
  return "none";
}

describe("proof shards", () => {
  let kernel: KeccakKernel;
  beforeAll(async () => {
    kernel = await createKeccakKernel();
  });

  // sizes chosen so the last shard is partial, a single shard, promoted odd shard roots, and exact fits
  const cases: [number, number][] = [
    [1, 1024],
    [5, 1024],
    [1024, 1024],
    [1025, 1024],
    [3000, 1024],
    [100, 16],
    [97, 16],
    [33, 4],
    [7, 1],
    [64, 8],
    [65, 8],
    [81, 8],
  ];
  for (const [n, S] of cases) {
    it(`${n} keys in shards of ${S}: round trip, and every key's proof from its shard equals the tree's and verifies`, () => {
      const { batchId, commitments, packed, tree } = batch(kernel, n, n * 7 + S);
      const shards = Math.ceil(n / S);
      for (let s = 0; s < shards; s++) {
        const shard = buildProofShard(tree, packed, s, S);
        expect(shard.count).toBe(Math.min(S, n - s * S));
        expect(shard.path.length).toBe(shardPathLength(n, S, s));
        const bytes = encodeProofShard(shard);
        expect(bytes.length).toBe(24 + 32 * (shard.count + shard.path.length));
        const decoded = decodeProofShard(bytes);
        expect(decoded).toEqual(shard);
        const step = Math.max(1, Math.floor(shard.count / 7));
        for (let i = s * S; i < s * S + shard.count; i += step) {
          const { commitment, proof } = proofFromShard(decoded, i, batchId);
          expect(commitment).toBe(commitments[i]);
          expect(proof).toEqual(getProof(tree, i));
          expect(verifyProof(tree.root, leafHash(batchId, i, commitment), proof)).toBe(true);
          expect(StandardMerkleTree.verify(tree.root, TYPES, [batchId, i, commitment], proof)).toBe(true);
          expect(proofFromShard(decoded, i, batchId, { kernel }).proof).toEqual(proof);
        }
      }
    });
  }

  it("refuses keys outside the shard and malformed batch ids", () => {
    const { batchId, packed, tree } = batch(kernel, 40, 3);
    const shard = decodeProofShard(encodeProofShard(buildProofShard(tree, packed, 1, 16)));
    expect(codeOf(() => proofFromShard(shard, 15, batchId))).toBe("INDEX");
    expect(codeOf(() => proofFromShard(shard, 32, batchId))).toBe("INDEX");
    expect(codeOf(() => proofFromShard(shard, 20, "0x12"))).toBe("BATCH");
    expect(() => buildProofShard(tree, packed, 3, 16)).toThrow(/shard index 3/);
    expect(() => buildProofShard(tree, packed, 0, 12)).toThrow(/power of two/);
  });

  describe("hostile shard files give a typed error naming the rule", () => {
    let good: Uint8Array;
    beforeAll(() => {
      const { packed, tree } = batch(kernel, 100, 9);
      good = encodeProofShard(buildProofShard(tree, packed, 2, 16));
    });
    const mutate = (f: (b: Uint8Array, v: DataView) => void) => {
      const b = good.slice();
      f(b, new DataView(b.buffer));
      return b;
    };
    const table: [string, () => Uint8Array, string][] = [
      ["empty", () => new Uint8Array(0), "TRUNCATED"],
      ["header cut", () => good.slice(0, 23), "TRUNCATED"],
      ["bad magic", () => mutate((b) => (b[0] = 0)), "MAGIC"],
      ["version 2", () => mutate((b) => (b[4] = 2)), "VERSION"],
      ["version 0", () => mutate((b) => (b[4] = 0)), "VERSION"],
      ["shard size 2^25", () => mutate((b) => (b[5] = 25)), "SHARD_SIZE"],
      ["other shard size", () => mutate((b) => (b[5] = 5)), "COUNT"],
      ["reserved byte set", () => mutate((b) => (b[7] = 1)), "RESERVED"],
      ["shard beyond the batch", () => mutate((_, v) => v.setUint32(8, 7)), "RANGE"],
      ["batch count 0", () => mutate((_, v) => (v.setUint32(16, 0), v.setUint32(20, 0))), "RANGE"],
      ["batch count 2^48", () => mutate((_, v) => v.setUint32(16, 1 << 16)), "RANGE"],
      ["count too small", () => mutate((_, v) => v.setUint32(12, 15)), "COUNT"],
      ["count huge", () => mutate((_, v) => v.setUint32(12, 0xffffffff)), "COUNT"],
      ["path length off by one", () => mutate((b) => (b[6] = b[6]! + 1)), "PATH_LENGTH"],
      ["one byte missing", () => good.slice(0, -1), "LENGTH"],
      ["trailing byte", () => Uint8Array.from([...good, 0]), "LENGTH"],
      ["other batch count, same shard", () => mutate((_, v) => v.setUint32(20, 200)), "PATH_LENGTH"],
    ];
    for (const [name, make, code] of table)
      it(`${name} -> ${code}`, () => expect(codeOf(() => decodeProofShard(make()))).toBe(code));

    it("random corruption never escapes as anything but ProofShardError or a failing proof", () => {
      const { batchId, tree } = (() => {
        const r = batch(kernel, 100, 9);
        return { batchId: r.batchId, tree: r.tree };
      })();
      fc.assert(
        fc.property(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 1, max: 255 }), (pos, x) => {
          const b = good.slice();
          b[pos] = b[pos]! ^ x;
          let shard;
          try {
            shard = decodeProofShard(b);
          } catch (e) {
            return e instanceof ProofShardError;
          }
          // a corrupted commitment or path node decodes, but no key of the shard then proves against the root
          const start = shard.shardIndex * shard.shardSize;
          const i = start + (pos % shard.count);
          const { commitment, proof } = proofFromShard(shard, i, batchId);
          const touched = pos >= 24;
          return !touched || pos >= 24 + 32 * shard.count || Math.floor((pos - 24) / 32) !== i - start
            ? true
            : !verifyProof(tree.root, leafHash(batchId, i, commitment), proof);
        }),
        { numRuns: 300 },
      );
    });

    it("a corrupted path node makes every key of the shard fail", () => {
      const { batchId, tree } = batch(kernel, 100, 9);
      const b = good.slice();
      b[b.length - 1] = b[b.length - 1]! ^ 1;
      const shard = decodeProofShard(b);
      for (let i = 32; i < 48; i++) {
        const { commitment, proof } = proofFromShard(shard, i, batchId);
        expect(verifyProof(tree.root, leafHash(batchId, i, commitment), proof)).toBe(false);
      }
    });
  });
});
