import { KeccakKernelArgumentError } from "./errors.js";
import type { KeccakKernel } from "./types.js";

type Exports = {
  memory: WebAssembly.Memory;
  hashFixed(inp: number, len: number, stride: number, count: number, out: number): void;
  hashVar(data: number, off: number, count: number, out: number): void;
  commitments(salts: number, data: number, off: number, count: number, out: number, scratch: number): void;
  salts(key: number, start: bigint, count: number, out: number): void;
  leaves(batch: number, start: bigint, com: number, count: number, out: number): void;
  pairs(inp: number, pairs: number, out: number): void;
};

/** First byte the module leaves to the caller (below it: the permutation states, fixed scratch, round constants). */
const BASE = 2048;
/** Items per call into WebAssembly: large enough to amortise the call, small enough to keep memory bounded. */
const CHUNK = 8192;

function check(condition: boolean, what: string, expected: string): void {
  if (!condition) throw new KeccakKernelArgumentError(`Invalid ${what}: expected ${expected}.`);
}

function checkOut(out: Uint8Array | undefined, count: number): Uint8Array {
  if (out === undefined) return new Uint8Array(count * 32);
  check(
    out.length >= count * 32,
    `output buffer of ${out.length} bytes`,
    `at least ${count * 32} bytes for ${count} digests`,
  );
  return out;
}

function checkIndex(start: number, count: number): void {
  check(Number.isSafeInteger(start) && start >= 0, `start index ${start}`, "a non-negative safe integer");
  check(Number.isSafeInteger(count) && count >= 0, `count ${count}`, "a non-negative safe integer");
}

/**
 * Wraps an instantiated keccak kernel module in the {@link KeccakKernel} API (copies inputs into the module's
 * memory in chunks, calls the batch functions, copies digests out).
 *
 * @param instance - an instance of the module in lib/hash/keccakWasm.ts.
 * @returns the kernel.
 * @example
 * const kernel = kernelFromInstance(new WebAssembly.Instance(module));
 */
export function kernelFromInstance(instance: WebAssembly.Instance): KeccakKernel {
  const e = instance.exports as unknown as Exports;
  let u8 = new Uint8Array(e.memory.buffer);

  /** Makes room for `bytes` bytes from BASE; returns the current byte view. */
  function reserve(bytes: number): Uint8Array {
    const need = BASE + bytes;
    if (need > e.memory.buffer.byteLength) {
      e.memory.grow(Math.ceil((need - e.memory.buffer.byteLength) / 65536));
    }
    if (u8.buffer !== e.memory.buffer) u8 = new Uint8Array(e.memory.buffer);
    return u8;
  }

  const kernel: KeccakKernel = {
    keccak256(data) {
      const m = reserve(data.length + 32);
      m.set(data, BASE);
      e.hashFixed(BASE, data.length, 0, 1, BASE + data.length);
      return m.slice(BASE + data.length, BASE + data.length + 32);
    },

    hashMany(input, length, count, out) {
      check(Number.isSafeInteger(length) && length >= 0, `input length ${length}`, "a non-negative integer");
      checkIndex(0, count);
      check(input.length >= length * count, `input of ${input.length} bytes`, `${count} inputs of ${length} bytes`);
      const o = checkOut(out, count);
      const chunk = Math.max(1, Math.min(CHUNK, Math.floor((1 << 22) / Math.max(length, 1))));
      for (let i = 0; i < count; i += chunk) {
        const n = Math.min(chunk, count - i);
        const m = reserve(n * (length + 32));
        m.set(input.subarray(i * length, (i + n) * length), BASE);
        const outPtr = BASE + n * length;
        e.hashFixed(BASE, length, length, n, outPtr);
        o.set(m.subarray(outPtr, outPtr + n * 32), i * 32);
      }
      return o;
    },

    deriveSalts(batchSecret, batchId, start, count, out) {
      check(batchSecret.length === 32, `batch secret of ${batchSecret.length} bytes`, "32 bytes");
      check(batchId.length === 32, `batchId of ${batchId.length} bytes`, "32 bytes");
      checkIndex(start, count);
      const o = checkOut(out, count);
      for (let i = 0; i < count; i += CHUNK) {
        const n = Math.min(CHUNK, count - i);
        const m = reserve(64 + n * 32);
        m.set(batchSecret, BASE);
        m.set(batchId, BASE + 32);
        e.salts(BASE, BigInt(start + i), n, BASE + 64);
        o.set(m.subarray(BASE + 64, BASE + 64 + n * 32), i * 32);
      }
      // the secret must not linger in the module's memory
      u8.fill(0, BASE, BASE + 64);
      u8.fill(0, 0, 1024); // the permutation states (the round constants above them stay)
      return o;
    },

    commitments(salts, keyData, keyOffsets, count, out) {
      checkIndex(0, count);
      check(salts.length >= count * 32, `salts of ${salts.length} bytes`, `${count} salts of 32 bytes`);
      check(keyOffsets.length >= count + 1, `key offsets of ${keyOffsets.length} entries`, `${count + 1} entries`);
      const o = checkOut(out, count);
      for (let i = 0; i < count;) {
        const first = keyOffsets[i]!;
        // take up to CHUNK keys and at most 4 MiB of key bytes (always at least one key)
        let n = Math.min(CHUNK, count - i);
        while (n > 1 && keyOffsets[i + n]! - first > 1 << 22) n >>= 1;
        const dataLen = keyOffsets[i + n]! - first;
        check(
          dataLen >= 0 && keyOffsets[i + n]! <= keyData.length,
          `key offsets at key ${i}`,
          "non-decreasing offsets within the key data",
        );
        let longest = 0;
        for (let k = 0; k < n; k++) {
          const len = keyOffsets[i + k + 1]! - keyOffsets[i + k]!;
          check(len >= 0, `key offsets at key ${i + k}`, "non-decreasing offsets");
          if (len > longest) longest = len;
        }
        const saltsPtr = BASE;
        const offPtr = saltsPtr + n * 32;
        const dataPtr = offPtr + (n + 1) * 4;
        const outPtr = (dataPtr + dataLen + 7) & ~7;
        const scratchPtr = outPtr + n * 32;
        const m = reserve(scratchPtr - BASE + 32 + longest);
        m.set(salts.subarray(i * 32, (i + n) * 32), saltsPtr);
        const off = new Uint32Array(m.buffer, offPtr, n + 1);
        for (let k = 0; k <= n; k++) off[k] = keyOffsets[i + k]! - first;
        m.set(keyData.subarray(first, first + dataLen), dataPtr);
        e.commitments(saltsPtr, dataPtr, offPtr, n, outPtr, scratchPtr);
        o.set(m.subarray(outPtr, outPtr + n * 32), i * 32);
        i += n;
      }
      return o;
    },

    leaves(batchId, start, commitments, count, out) {
      check(batchId.length === 32, `batchId of ${batchId.length} bytes`, "32 bytes");
      checkIndex(start, count);
      check(
        commitments.length >= count * 32,
        `commitments of ${commitments.length} bytes`,
        `${count} commitments of 32 bytes`,
      );
      const o = checkOut(out, count);
      for (let i = 0; i < count; i += CHUNK) {
        const n = Math.min(CHUNK, count - i);
        const m = reserve(32 + 2 * n * 32);
        m.set(batchId, BASE);
        m.set(commitments.subarray(i * 32, (i + n) * 32), BASE + 32);
        const outPtr = BASE + 32 + n * 32;
        e.leaves(BASE, BigInt(start + i), BASE + 32, n, outPtr);
        o.set(m.subarray(outPtr, outPtr + n * 32), i * 32);
      }
      return o;
    },

    hashPairs(nodes, nodeCount, out) {
      checkIndex(0, nodeCount);
      check(nodes.length >= nodeCount * 32, `layer of ${nodes.length} bytes`, `${nodeCount} nodes of 32 bytes`);
      const up = Math.ceil(nodeCount / 2);
      const o = checkOut(out, up);
      const pairs = Math.floor(nodeCount / 2);
      for (let i = 0; i < pairs; i += CHUNK) {
        const n = Math.min(CHUNK, pairs - i);
        const m = reserve(n * 64);
        m.set(nodes.subarray(i * 64, (i + n) * 64), BASE);
        e.pairs(BASE, n, BASE);
        o.set(m.subarray(BASE, BASE + n * 32), i * 32);
      }
      if (nodeCount % 2 === 1) {
        // the odd last node is promoted unchanged
        if (o === nodes) o.copyWithin(pairs * 32, (nodeCount - 1) * 32, nodeCount * 32);
        else o.set(nodes.subarray((nodeCount - 1) * 32, nodeCount * 32), pairs * 32);
      }
      return o;
    },
  };
  return kernel;
}
