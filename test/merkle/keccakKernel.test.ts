import { bytesToHex, concat, keccak256, numberToHex } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { createKeccakKernel } from "../../lib/hash/createKeccakKernel.js";
import { createKeccakKernelSync } from "../../lib/hash/createKeccakKernelSync.js";
import { KeccakKernelArgumentError } from "../../lib/hash/errors.js";
import type { KeccakKernel } from "../../lib/hash/types.js";
import { referenceLeaf, seededBytes } from "./helpers.js";

const slice32 = (b: Uint8Array, i: number) => bytesToHex(b.subarray(i * 32, i * 32 + 32));

describe("batch keccak kernel against viem keccak256", () => {
  let kernel: KeccakKernel;
  beforeAll(async () => {
    kernel = await createKeccakKernel();
  });

  it("keccak256 of every length 0..400 (one to three blocks, padding at every position)", () => {
    for (let len = 0; len <= 400; len++) {
      const data = seededBytes(len + 1, len);
      expect(bytesToHex(kernel.keccak256(data)), `length ${len}`).toBe(keccak256(data));
    }
  });

  it("known vectors: empty input and 'abc'", () => {
    expect(bytesToHex(kernel.keccak256(new Uint8Array(0)))).toBe(
      "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
    );
    expect(bytesToHex(kernel.keccak256(new TextEncoder().encode("abc")))).toBe(
      "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
    );
  });

  it("hashMany over fixed lengths 0, 1, 32, 64, 72, 96, 135, 136, 137, 300 (odd and even counts)", () => {
    for (const len of [0, 1, 32, 64, 72, 96, 135, 136, 137, 300]) {
      for (const count of [1, 2, 3, 17]) {
        const input = seededBytes(len * 31 + count, len * count);
        const out = kernel.hashMany(input, len, count);
        for (let i = 0; i < count; i++)
          expect(slice32(out, i), `len ${len} #${i}`).toBe(keccak256(input.subarray(i * len, (i + 1) * len)));
      }
    }
  });

  it("deriveSalts equals keccak256(secret ‖ batchId ‖ uint64be(index)), including indices above 2^32 and a chunk boundary", () => {
    const secret = seededBytes(7, 32);
    const batchId = seededBytes(8, 32);
    for (const [start, count] of [
      [0, 1],
      [0, 2],
      [5, 9],
      [2 ** 32 - 3, 7],
      [2 ** 40 + 1, 4],
      [0, 8193],
    ] as const) {
      const salts = kernel.deriveSalts(secret, batchId, start, count);
      for (let i = 0; i < count; i += count > 100 ? 97 : 1) {
        const ref = keccak256(
          concat([bytesToHex(secret), bytesToHex(batchId), numberToHex(BigInt(start + i), { size: 8 })]),
        );
        expect(slice32(salts, i), `index ${start + i}`).toBe(ref);
      }
    }
  });

  it("commitments equal keccak256(salt ‖ keyBytes) for key lengths 0..250 (SIMD pairs and the long-key path)", () => {
    const count = 251;
    const salts = seededBytes(11, count * 32);
    const offsets = new Uint32Array(count + 1);
    for (let i = 0; i < count; i++) offsets[i + 1] = offsets[i]! + ((i * 37) % 251);
    const data = seededBytes(12, offsets[count]!);
    const out = kernel.commitments(salts, data, offsets, count);
    for (let i = 0; i < count; i++) {
      const ref = keccak256(concat([slice32(salts, i), bytesToHex(data.subarray(offsets[i]!, offsets[i + 1]!))]));
      expect(slice32(out, i), `key ${i} of ${offsets[i + 1]! - offsets[i]!} bytes`).toBe(ref);
    }
  });

  it("leaves equal the OpenZeppelin standard leaf of (bytes32, uint256, bytes32)", () => {
    const batchId = seededBytes(21, 32);
    for (const [start, count] of [
      [0, 1],
      [0, 2],
      [3, 11],
      [2 ** 33, 3],
    ] as const) {
      const commitments = seededBytes(22 + count, count * 32);
      const out = kernel.leaves(batchId, start, commitments, count);
      for (let i = 0; i < count; i++)
        expect(slice32(out, i)).toBe(referenceLeaf(bytesToHex(batchId), start + i, slice32(commitments, i)));
    }
  });

  it("hashPairs sorts each pair, promotes an odd last node, and works in place", () => {
    for (const n of [1, 2, 3, 4, 5, 9, 64, 65]) {
      const nodes = seededBytes(40 + n, n * 32);
      // equal first bytes in one pair exercise the byte-wise comparison past byte 0
      if (n >= 2) nodes.copyWithin(32, 0, 20);
      const out = kernel.hashPairs(nodes, n);
      for (let i = 0; i < Math.ceil(n / 2); i++) {
        const a = slice32(nodes, 2 * i);
        const ref =
          2 * i + 1 < n
            ? (() => {
                const b = slice32(nodes, 2 * i + 1);
                return keccak256(concat(a < b ? [a, b] : [b, a]));
              })()
            : a;
        expect(slice32(out, i), `n ${n} node ${i}`).toBe(ref);
      }
      const copy = nodes.slice();
      expect(bytesToHex(kernel.hashPairs(copy, n, copy).subarray(0, Math.ceil(n / 2) * 32))).toBe(bytesToHex(out));
    }
  });

  it("the synchronous kernel gives the same digests, with its own memory", () => {
    const sync = createKeccakKernelSync();
    const data = seededBytes(99, 1000);
    expect(bytesToHex(sync.hashMany(data, 100, 10))).toBe(bytesToHex(kernel.hashMany(data, 100, 10)));
  });

  it("refuses buffers of the wrong size with a typed error", () => {
    expect(() => kernel.deriveSalts(new Uint8Array(31), new Uint8Array(32), 0, 1)).toThrow(KeccakKernelArgumentError);
    expect(() => kernel.leaves(new Uint8Array(32), 0, new Uint8Array(32), 2)).toThrow(KeccakKernelArgumentError);
    expect(() => kernel.hashPairs(new Uint8Array(32), 2)).toThrow(KeccakKernelArgumentError);
    expect(() => kernel.deriveSalts(new Uint8Array(32), new Uint8Array(32), -1, 1)).toThrow(/start index -1/);
    expect(() => kernel.commitments(new Uint8Array(64), new Uint8Array(4), Uint32Array.of(0, 3, 2), 2)).toThrow(
      KeccakKernelArgumentError,
    );
  });
});
