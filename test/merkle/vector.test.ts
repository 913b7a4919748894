import { bytesToHex, hexToBytes, keccak256, toHex } from "viem";
import { describe, expect, it } from "vitest";
import { createKeccakKernelSync } from "../../lib/hash/createKeccakKernelSync.js";
import { buildProofShard } from "../../lib/merkle/buildProofShard.js";
import { buildTree } from "../../lib/merkle/buildTree.js";
import { encodeProofShard } from "../../lib/merkle/encodeProofShard.js";
import { getProof } from "../../lib/merkle/getProof.js";
import { leafHash } from "../../lib/merkle/leafHash.js";
import { shardPathLength } from "../../lib/merkle/shardPathLength.js";

describe("docs/MERKLE.md test vector", () => {
  it("leaves, root, proofs and the shard bytes are the documented ones", () => {
    const batchId = keccak256(toHex("batch"));
    expect(batchId).toBe("0xa9126e4bf867072165130f767d49b03b9370774fbfb5224842ac5b288851843a");
    const commitments = [0, 1, 2].map((i) => keccak256(toHex(`commitment ${i}`)));
    const leaves = commitments.map((c, i) => leafHash(batchId, i, c));
    expect(leaves).toEqual([
      "0x41534631154cdf0935bed4ba6559ae61eb4eb59efd66ffc3c298561f95607594",
      "0xb77313568f4d50cd0ed84a23de644fbfa45b0c845dd8f234eaefba64cdb462bc",
      "0x46c2e545caa285896ff18c44e76334cdf5e1f7ed6fef1fb77a764b4b52082c7e",
    ]);
    const kernel = createKeccakKernelSync();
    const packed = hexToBytes(`0x${commitments.map((c) => c.slice(2)).join("")}`);
    const tree = buildTree(kernel, { leaves: kernel.leaves(hexToBytes(batchId), 0, packed, 3) });
    expect(tree.root).toBe("0x4d7c96a84a4fd94e747291004f25c229b52b935b10f3c21c8279fc6475c47ead");
    expect(getProof(tree, 0)).toEqual([leaves[1], leaves[2]]);
    expect(getProof(tree, 1)).toEqual([leaves[0], leaves[2]]);
    expect(getProof(tree, 2)).toEqual(["0x5a8861f19c5c44bf2e339c8fbf35152f533a217a85e4e8b2fa6639eabb84fa52"]);
    expect(bytesToHex(encodeProofShard(buildProofShard(tree, packed, 1, 2)))).toBe(
      "0x4b545053010101000000000100000001000000000000000327f345519a907dac476b9626ca7aa5b8f24ad47f0206d2c9b4a1b8ef7d7b42d45a8861f19c5c44bf2e339c8fbf35152f533a217a85e4e8b2fa6639eabb84fa52",
    );
    expect(shardPathLength(1_000_000, 1024, 0)).toBe(10);
    expect(shardPathLength(1024, 1024, 0)).toBe(0);
  });
});
