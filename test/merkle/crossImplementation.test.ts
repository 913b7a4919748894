import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { MerkleTree as MerkleTreeJs } from "merkletreejs";
import { bytesToHex, hexToBytes } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { createKeccakKernel } from "../../lib/hash/createKeccakKernel.js";
import type { KeccakKernel } from "../../lib/hash/types.js";
import { buildTree } from "../../lib/merkle/buildTree.js";
import { getProof } from "../../lib/merkle/getProof.js";
import { getProofBytes } from "../../lib/merkle/getProofBytes.js";
import { layerSizes } from "../../lib/merkle/layerSizes.js";
import { leafHash } from "../../lib/merkle/leafHash.js";
import { verifyProof } from "../../lib/merkle/verifyProof.js";
import { keccakBuffer, packHex, referenceBatch } from "./helpers.js";

const TYPES = ["bytes32", "uint256", "bytes32"];
const SIZES = [
  1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 255, 256, 257, 511, 512, 513, 1000,
  1023, 1024, 1025,
];
const POWERS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

describe("Merkle tree against independent implementations", () => {
  let kernel: KeccakKernel;
  beforeAll(async () => {
    kernel = await createKeccakKernel();
  });

  it("leafHash equals StandardMerkleTree.leafHash for the (bytes32, uint256, bytes32) encoding", () => {
    const { batchId, commitments } = referenceBatch(5, 3);
    for (const [i, c] of commitments.entries()) {
      expect(leafHash(batchId, i, c)).toBe(StandardMerkleTree.of([[batchId, i, c]], TYPES).leafHash([batchId, i, c]));
      expect(leafHash(batchId, BigInt(i), c)).toBe(leafHash(batchId, i, c));
    }
    expect(leafHash(batchId, 2n ** 64n - 1n, commitments[0]!)).toBe(
      StandardMerkleTree.of([[batchId, 2n ** 64n - 1n, commitments[0]!]], TYPES).leafHash([
        batchId,
        2n ** 64n - 1n,
        commitments[0]!,
      ]),
    );
  });

  it("layerSizes halves rounding up", () => {
    expect(layerSizes(1)).toEqual([1]);
    expect(layerSizes(5)).toEqual([5, 3, 2, 1]);
    expect(layerSizes(1024).length).toBe(11);
    expect(layerSizes(1025).length).toBe(12);
  });

  for (const n of SIZES) {
    it(`${n} leaves: root equals merkletreejs (sortPairs), every proof equals and verifies three ways`, () => {
      const { batchId, commitments, leaves } = referenceBatch(n, n);
      const ours = buildTree(kernel, { leaves: kernel.leaves(hexToBytes(batchId), 0, packHex(commitments), n) });
      expect(bytesToHex(ours.layers[0]!)).toBe(bytesToHex(packHex(leaves)));
      const js = new MerkleTreeJs(
        leaves.map((l) => Buffer.from(hexToBytes(l))),
        keccakBuffer,
        { sortPairs: true },
      );
      expect(ours.root).toBe(js.getHexRoot());
      expect(ours.count).toBe(n);
      for (let i = 0; i < n; i++) {
        const proof = getProof(ours, i);
        expect(proof).toEqual(js.getHexProof(leaves[i]!, i));
        const packed = proof.length ? `0x${proof.map((p) => p.slice(2)).join("")}` : "0x";
        expect(bytesToHex(getProofBytes(ours, i))).toBe(packed);
        expect(bytesToHex(getProofBytes(ours, i, new Uint8Array(64 * 32)))).toBe(packed);
        expect(verifyProof(ours.root, leaves[i]!, proof)).toBe(true);
        expect(StandardMerkleTree.verify(ours.root, TYPES, [batchId, i, commitments[i]!], proof)).toBe(true);
      }
    });
  }

  for (const n of POWERS) {
    it(`${n} leaves (a power of two): root equals StandardMerkleTree.of(…, { sortLeaves: false })`, () => {
      const { batchId, commitments } = referenceBatch(n, 1000 + n);
      const oz = StandardMerkleTree.of(
        commitments.map((c, i) => [batchId, i, c]),
        TYPES,
        { sortLeaves: false },
      );
      const ours = buildTree(kernel, { leaves: kernel.leaves(hexToBytes(batchId), 0, packHex(commitments), n) });
      expect(ours.root).toBe(oz.root);
      for (const i of [0, n - 1, n >> 1])
        expect(StandardMerkleTree.verify(oz.root, TYPES, [batchId, i, commitments[i]!], getProof(ours, i))).toBe(true);
    });
  }

  it("continues from lower layers computed elsewhere (as the seal's workers do) to the same root", () => {
    const n = 1000;
    const { batchId, commitments } = referenceBatch(n, 77);
    const leaves = kernel.leaves(hexToBytes(batchId), 0, packHex(commitments), n);
    const full = buildTree(kernel, { leaves });
    const partial = buildTree(kernel, { lowerLayers: full.layers.slice(0, 4) });
    expect(partial.root).toBe(full.root);
    expect(() => buildTree(kernel, { lowerLayers: [leaves, new Uint8Array(32)] })).toThrow(/layer 1/);
    expect(() => buildTree(kernel, { leaves: new Uint8Array(0) })).toThrow(/at least one/);
  });
});
