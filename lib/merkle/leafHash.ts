import { keccak_256 } from "@noble/hashes/sha3.js";
import type { Hex } from "viem";
import { MerkleArgumentError } from "./errors.js";
import { readHex32, writeHex32 } from "./internal/hex.js";

/**
 * The Merkle leaf of key `index` of a batch, OpenZeppelin's standard leaf encoding:
 * `keccak256(bytes.concat(keccak256(abi.encode(bytes32 batchId, uint256 index, bytes32 commitment))))`.
 * The double hash keeps a 64-byte inner node from ever passing as a leaf.
 *
 * @param batchId - the batch id (32 bytes hex).
 * @param index - the key index, 0 <= index < 2^64.
 * @param commitment - the key's commitment (32 bytes hex).
 * @returns the 32-byte leaf, lower-case hex.
 * @throws {MerkleArgumentError} on malformed hex or an index out of range.
 * @example
 * const leaf = leafHash(batchId, 7, commitment);
 */
export function leafHash(batchId: Hex, index: number | bigint, commitment: Hex): Hex {
  const buf = new Uint8Array(96);
  if (!writeHex32(batchId, buf, 0))
    throw new MerkleArgumentError(`Invalid batchId ${JSON.stringify(batchId)}: expected 0x followed by 64 hex digits.`);
  if (!writeHex32(commitment, buf, 64))
    throw new MerkleArgumentError(
      `Invalid commitment ${JSON.stringify(commitment)}: expected 0x followed by 64 hex digits.`,
    );
  let v: bigint;
  if (typeof index === "number") {
    if (!Number.isSafeInteger(index) || index < 0)
      throw new MerkleArgumentError(`Invalid key index ${index}: expected a non-negative integer.`);
    v = BigInt(index);
  } else if (typeof index === "bigint" && index >= 0n && index < 1n << 64n) {
    v = index;
  } else {
    throw new MerkleArgumentError(`Invalid key index ${String(index)}: expected 0 <= index < 2^64.`);
  }
  for (let i = 63; i >= 56; i--) {
    buf[i] = Number(v & 255n);
    v >>= 8n;
  }
  return readHex32(keccak_256(keccak_256(buf)), 0);
}
