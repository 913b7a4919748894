import { keccak_256 } from "@noble/hashes/sha3.js";
import type { Hex } from "viem";
import { CommitArgumentError } from "./errors.js";
import { readHex, writeHex } from "../payload/internal/hex.js";

const UINT64_LIMIT = 1n << 64n;

/**
 * The salt of key `index`: `keccak256(batchSecret ‖ batchId ‖ uint64_be(index))`, 72 bytes in
 * (docs/FORMATS.md, "Salt"). The supplier keeps only the 32-byte batch secret and can regenerate
 * every salt; without the secret, salts are unpredictable.
 *
 * @param batchSecret The batch secret, 32 bytes (keep it private).
 * @param batchId The batch id from `computeBatchId`.
 * @param index The key index, 0 <= index < 2^64.
 * @returns The 32-byte salt.
 *
 * @example
 * const salt = deriveSalt(secret, batchId, 0);
 */
export function deriveSalt(batchSecret: Hex, batchId: Hex, index: number | bigint): Hex {
  const buf = new Uint8Array(72);
  if (!writeHex(batchSecret, 32, buf, 0))
    throw new CommitArgumentError("Invalid batch secret: expected 0x followed by 64 hex digits (32 bytes).");
  if (!writeHex(batchId, 32, buf, 32))
    throw new CommitArgumentError(`Invalid batchId ${JSON.stringify(batchId)}: expected 0x followed by 64 hex digits.`);
  if (typeof index === "number") {
    if (!Number.isSafeInteger(index) || index < 0)
      throw new CommitArgumentError(`Invalid key index ${index}: expected a non-negative integer.`);
    const hi = Math.floor(index / 2 ** 32);
    const lo = index >>> 0;
    buf[64] = hi >>> 24;
    buf[65] = (hi >>> 16) & 255;
    buf[66] = (hi >>> 8) & 255;
    buf[67] = hi & 255;
    buf[68] = lo >>> 24;
    buf[69] = (lo >>> 16) & 255;
    buf[70] = (lo >>> 8) & 255;
    buf[71] = lo & 255;
  } else {
    if (typeof index !== "bigint" || index < 0n || index >= UINT64_LIMIT)
      throw new CommitArgumentError(`Invalid key index ${String(index)}: expected 0 <= index < 2^64.`);
    let v = index;
    for (let i = 71; i >= 64; i--) {
      buf[i] = Number(v & 255n);
      v >>= 8n;
    }
  }
  return readHex(keccak_256(buf), 0, 32);
}
