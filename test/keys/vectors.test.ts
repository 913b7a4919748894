import { describe, expect, it } from "vitest";
import type { Address, Hex } from "viem";
import vectors from "../fixtures/vectors.json" with { type: "json" };
import { computeBatchId } from "../../lib/commit/computeBatchId.js";
import { deriveSalt } from "../../lib/commit/deriveSalt.js";
import { computeCommitment } from "../../lib/commit/computeCommitment.js";
import { CommitArgumentError } from "../../lib/commit/errors.js";
import { normaliseKey } from "../../lib/keys/normaliseKey.js";
import { encodeKeyBytes } from "../../lib/keys/encodeKeyBytes.js";
import { leafHash } from "../../lib/merkle/leafHash.js";
import { verifyProof } from "../../lib/merkle/verifyProof.js";
import { buildTree } from "../../lib/merkle/buildTree.js";
import { getProof } from "../../lib/merkle/getProof.js";
import { createKeccakKernelSync } from "../../lib/hash/createKeccakKernelSync.js";
import {
  refBatchId,
  refCommitment,
  refKeyBytes,
  refLeaf,
  refSalt,
  refTree,
  ozVerify,
} from "../fixtures/keys/reference.js";
import { bytesToHex, hexToBytes } from "viem";

describe("test vectors (test/fixtures/vectors.json, quoted by docs/FORMATS.md)", () => {
  it.each(vectors.batchId)("batchId of label $label", (v) => {
    expect(computeBatchId(v.supplier as Address, v.label)).toBe(v.batchId);
    expect(refBatchId(v.supplier as Address, v.label)).toBe(v.batchId);
  });

  it.each(vectors.salt)("salt of index $index", (v) => {
    const index = BigInt(v.index);
    expect(deriveSalt(v.batchSecret as Hex, v.batchId as Hex, index)).toBe(v.salt);
    if (index <= BigInt(Number.MAX_SAFE_INTEGER))
      expect(deriveSalt(v.batchSecret as Hex, v.batchId as Hex, Number(index))).toBe(v.salt);
    expect(refSalt(v.batchSecret as Hex, v.batchId as Hex, index)).toBe(v.salt);
  });

  it.each(vectors.normalisation.map((v, i) => ({ ...v, i })))("normalisation #$i: $input.pin", (v) => {
    const n = normaliseKey(v.input, { caseInsensitive: v.caseInsensitive });
    expect(n).toEqual(v.normalised);
    expect(bytesToHex(encodeKeyBytes(n))).toBe(v.keyBytes);
    expect(bytesToHex(refKeyBytes(n))).toBe(v.keyBytes);
  });

  it.each(vectors.batch.entries)("key $index: salt, key bytes, commitment, leaf, proof", (e) => {
    const b = vectors.batch;
    expect(deriveSalt(b.batchSecret as Hex, b.batchId as Hex, e.index)).toBe(e.salt);
    const kb = encodeKeyBytes(normaliseKey(e.key));
    expect(bytesToHex(kb)).toBe(e.keyBytes);
    expect(computeCommitment(e.salt as Hex, kb)).toBe(e.commitment);
    expect(refCommitment(e.salt as Hex, kb)).toBe(e.commitment);
    expect(leafHash(b.batchId as Hex, e.index, e.commitment as Hex)).toBe(e.leaf);
    expect(refLeaf(b.batchId as Hex, e.index, e.commitment as Hex)).toBe(e.leaf);
    expect(verifyProof(b.root as Hex, e.leaf as Hex, e.proof as Hex[])).toBe(true);
    expect(ozVerify(b.root as Hex, b.batchId as Hex, e.index, e.commitment as Hex, e.proof as Hex[])).toBe(true);
  });

  it("derivations refuse malformed arguments with CommitArgumentError", () => {
    const b = vectors.batch;
    expect(() => deriveSalt("0x1234", b.batchId as Hex, 0)).toThrow(CommitArgumentError);
    expect(() => deriveSalt(b.batchSecret as Hex, b.batchId as Hex, -1)).toThrow(/index -1/);
    expect(() => deriveSalt(b.batchSecret as Hex, b.batchId as Hex, 1n << 64n)).toThrow(CommitArgumentError);
    expect(deriveSalt(b.batchSecret as Hex, b.batchId as Hex, (1n << 64n) - 1n)).toBe(
      refSalt(b.batchSecret as Hex, b.batchId as Hex, (1n << 64n) - 1n),
    );
    expect(() => computeCommitment(b.entries[0]!.salt as Hex, new Uint8Array(0))).toThrow(CommitArgumentError);
    expect(() => computeCommitment("0xzz" as Hex, new Uint8Array(1))).toThrow(/Invalid salt/);
    expect(() => computeBatchId("0x1234" as Address, "x")).toThrow(CommitArgumentError);
    expect(computeBatchId(b.supplier.toLowerCase() as Address, b.label)).toBe(b.batchId);
  });

  it("root of the five-key batch: reference tree and lib/merkle agree", () => {
    const b = vectors.batch;
    const leaves = b.entries.map((e) => e.leaf as Hex);
    expect(refTree(leaves).root).toBe(b.root);
    const packed = new Uint8Array(leaves.length * 32);
    leaves.forEach((l, i) => packed.set(hexToBytes(l), i * 32));
    const tree = buildTree(createKeccakKernelSync(), { leaves: packed });
    expect(tree.root).toBe(b.root);
    b.entries.forEach((e, i) => expect(getProof(tree, i)).toEqual(e.proof));
  });
});
