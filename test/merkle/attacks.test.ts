import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { bytesToHex, concat, encodeAbiParameters, hexToBytes, keccak256 } from "viem";
import type { Hex } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { createKeccakKernel } from "../../lib/hash/createKeccakKernel.js";
import { buildTree } from "../../lib/merkle/buildTree.js";
import { getProof } from "../../lib/merkle/getProof.js";
import { leafHash } from "../../lib/merkle/leafHash.js";
import type { MerkleTree } from "../../lib/merkle/types.js";
import { verifyProof } from "../../lib/merkle/verifyProof.js";
import { packHex, referenceBatch } from "./helpers.js";

const TYPES = ["bytes32", "uint256", "bytes32"];
const ZERO = `0x${"00".repeat(32)}` as Hex;
const sorted = (a: Hex, b: Hex) => keccak256(concat(a < b ? [a, b] : [b, a]));

describe("proof attacks", () => {
  const n = 8;
  const { batchId, commitments, leaves } = referenceBatch(n, 5);
  let tree: MerkleTree;
  beforeAll(async () => {
    const kernel = await createKeccakKernel();
    tree = buildTree(kernel, { leaves: packHex(leaves) });
  });

  it("second preimage: an inner node verifies as a raw node but is no leaf of the standard encoding", () => {
    const inner = sorted(leaves[0]!, leaves[1]!);
    const upper = getProof(tree, 0).slice(1);
    // the raw check (like MerkleProof.verify on a bare bytes32) accepts the inner node with the upper path …
    expect(verifyProof(tree.root, inner, upper)).toBe(true);
    // … but no (batchId, index, commitment) hashes to it: presenting its children as a 64-byte "value" (the
    // single-hash attack) or the inner node as a commitment gives a different leaf.
    expect(leafHash(batchId, 0, inner)).not.toBe(inner);
    expect(keccak256(concat([leaves[0]!, leaves[1]!]))).not.toBe(
      leafHash(leaves[0]!, BigInt(leaves[1]!) & (2n ** 64n - 1n), ZERO),
    );
    for (const index of [0, 1, 2])
      expect(StandardMerkleTree.verify(tree.root, TYPES, [batchId, index, inner], upper)).toBe(false);
    // the single-hashed leaf (inner encoding) is not a leaf either
    const single = keccak256(
      encodeAbiParameters(
        [{ type: "bytes32" }, { type: "uint256" }, { type: "bytes32" }],
        [batchId, 0n, commitments[0]!],
      ),
    );
    expect(keccak256(single)).toBe(leaves[0]);
    expect(verifyProof(tree.root, single, getProof(tree, 0))).toBe(false);
  });

  it("truncated, extended and reordered proofs fail", () => {
    const proof = getProof(tree, 3);
    expect(verifyProof(tree.root, leaves[3]!, proof)).toBe(true);
    for (let k = 0; k < proof.length; k++) expect(verifyProof(tree.root, leaves[3]!, proof.slice(0, k))).toBe(false);
    expect(verifyProof(tree.root, leaves[3]!, [...proof, ZERO])).toBe(false);
    expect(verifyProof(tree.root, leaves[3]!, [proof[1]!, proof[0]!, ...proof.slice(2)])).toBe(false);
  });

  it("wrong index: a key's commitment under another index, or another key's proof, fails", () => {
    for (let i = 0; i < n; i++) {
      const proof = getProof(tree, i);
      const wrong = (i + 1) % n;
      expect(verifyProof(tree.root, leafHash(batchId, wrong, commitments[i]!), proof)).toBe(false);
      expect(StandardMerkleTree.verify(tree.root, TYPES, [batchId, wrong, commitments[i]!], proof)).toBe(false);
      expect(verifyProof(tree.root, leaves[i]!, getProof(tree, wrong))).toBe(false);
    }
    expect(() => getProof(tree, n)).toThrow(/0 to 7/);
    expect(() => getProof(tree, -1)).toThrow();
  });

  it("zero nodes: zero leaf, zero siblings, zero root and empty proofs fail", () => {
    expect(verifyProof(tree.root, ZERO, getProof(tree, 0))).toBe(false);
    expect(
      verifyProof(
        tree.root,
        leaves[0]!,
        getProof(tree, 0).map(() => ZERO),
      ),
    ).toBe(false);
    expect(verifyProof(ZERO, leaves[0]!, getProof(tree, 0))).toBe(false);
    expect(verifyProof(tree.root, leaves[0]!, [])).toBe(false);
    expect(verifyProof(ZERO, ZERO, [])).toBe(true); // the raw rule (leaf == root), as MerkleProof.verify: roots are never zero on chain
    expect(verifyProof(tree.root, tree.root, [])).toBe(true);
  });

  it("malformed hex verifies as false, never throws", () => {
    const proof = getProof(tree, 2);
    expect(verifyProof(tree.root, leaves[2]!.slice(0, 65) as Hex, proof)).toBe(false);
    expect(verifyProof(tree.root, leaves[2]!, [...proof.slice(0, -1), "0xzz" as Hex])).toBe(false);
    expect(verifyProof(`${tree.root}00` as Hex, leaves[2]!, proof)).toBe(false);
    expect(verifyProof(tree.root, leaves[2]!, "nope" as unknown as Hex[])).toBe(false);
    expect(
      verifyProof(
        tree.root.toUpperCase().replace("0X", "0x") as Hex,
        leaves[2]!.toUpperCase().replace("0X", "0x") as Hex,
        proof,
      ),
    ).toBe(true);
  });

  it("the root depends on every leaf and on index order", () => {
    const swapped = [...leaves];
    [swapped[0], swapped[2]] = [swapped[2]!, swapped[0]!];
    return createKeccakKernel().then((kernel) => {
      expect(buildTree(kernel, { leaves: packHex(swapped) }).root).not.toBe(tree.root);
      const changed = [...leaves];
      changed[7] = bytesToHex(hexToBytes(changed[7]!).map((b, i) => (i === 31 ? b ^ 1 : b)));
      expect(buildTree(kernel, { leaves: packHex(changed) }).root).not.toBe(tree.root);
    });
  });
});
