import hre from "hardhat";
import { hexToBytes } from "viem";
import type { Hex } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { createKeccakKernel } from "../../lib/hash/createKeccakKernel.js";
import type { KeccakKernel } from "../../lib/hash/types.js";
import { buildProofShard } from "../../lib/merkle/buildProofShard.js";
import { buildTree } from "../../lib/merkle/buildTree.js";
import { decodeProofShard } from "../../lib/merkle/decodeProofShard.js";
import { encodeProofShard } from "../../lib/merkle/encodeProofShard.js";
import { getProof } from "../../lib/merkle/getProof.js";
import { proofFromShard } from "../../lib/merkle/proofFromShard.js";
import { packHex, referenceBatch } from "./helpers.js";

type Harness = {
  read: {
    verify(args: readonly [readonly Hex[], Hex, Hex]): Promise<boolean>;
    verifyKey(args: readonly [readonly Hex[], Hex, Hex, bigint, Hex]): Promise<boolean>;
  };
};

describe("proofs verify with OpenZeppelin MerkleProof.sol on the in-process chain", () => {
  let harness: Harness;
  let kernel: KeccakKernel;
  beforeAll(async () => {
    if (!(await hre.artifacts.artifactExists("MerkleProofHarness")))
      await hre.tasks.getTask("build").run({ quiet: true });
    const { viem } = await hre.network.connect();
    harness = (await viem.deployContract("MerkleProofHarness")) as unknown as Harness;
    kernel = await createKeccakKernel();
  });

  for (const n of [1, 2, 3, 5, 8, 9, 33, 100]) {
    it(`${n} keys: every proof verifies on chain (verifyKey and raw verify); wrong index and truncated proofs do not`, async () => {
      const { batchId, commitments, leaves } = referenceBatch(n, 500 + n);
      const tree = buildTree(kernel, { leaves: kernel.leaves(hexToBytes(batchId), 0, packHex(commitments), n) });
      for (let i = 0; i < n; i++) {
        const proof = getProof(tree, i);
        expect(await harness.read.verifyKey([proof, tree.root, batchId, BigInt(i), commitments[i]!])).toBe(true);
        if (i < 3) expect(await harness.read.verify([proof, tree.root, leaves[i]!])).toBe(true);
      }
      if (n > 1) {
        const proof = getProof(tree, 0);
        expect(await harness.read.verifyKey([proof, tree.root, batchId, 1n, commitments[0]!])).toBe(false);
        expect(await harness.read.verifyKey([proof.slice(0, -1), tree.root, batchId, 0n, commitments[0]!])).toBe(false);
      }
    });
  }

  it("a proof rebuilt from a proof shard verifies on chain (last, partial shard)", async () => {
    const n = 70;
    const { batchId, commitments } = referenceBatch(n, 4242);
    const packed = packHex(commitments);
    const tree = buildTree(kernel, { leaves: kernel.leaves(hexToBytes(batchId), 0, packed, n) });
    const shard = decodeProofShard(encodeProofShard(buildProofShard(tree, packed, 4, 16)));
    for (const i of [64, 65, 69]) {
      const { commitment, proof } = proofFromShard(shard, i, batchId);
      expect(await harness.read.verifyKey([proof, tree.root, batchId, BigInt(i), commitment])).toBe(true);
    }
  });
});
