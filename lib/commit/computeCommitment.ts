import { keccak_256 } from "@noble/hashes/sha3.js";
import type { Hex } from "viem";
import { CommitArgumentError } from "./errors.js";
import { readHex, writeHex } from "../payload/internal/hex.js";

/**
 * A key's commitment: `keccak256(salt ‖ keyBytes)` (docs/FORMATS.md, "Commitment"). Binds the
 * secret key to its per-key salt; reveals nothing about the key without the salt, and with the
 * salt only as much as the key's entropy protects it.
 *
 * @param salt The key's salt from `deriveSalt`.
 * @param keyBytes The key's bytes from `encodeKeyBytes` (of a normalised key).
 * @returns The 32-byte commitment.
 *
 * @example
 * computeCommitment(salt, encodeKeyBytes(normaliseKey({ pin: "J4H9D-U7794-G9DPM" })))
 */
export function computeCommitment(salt: Hex, keyBytes: Uint8Array): Hex {
  if (!(keyBytes instanceof Uint8Array) || keyBytes.length === 0)
    throw new CommitArgumentError("Invalid key bytes: expected a non-empty Uint8Array from encodeKeyBytes.");
  const buf = new Uint8Array(32 + keyBytes.length);
  if (!writeHex(salt, 32, buf, 0))
    throw new CommitArgumentError("Invalid salt: expected 0x followed by 64 hex digits (32 bytes).");
  buf.set(keyBytes, 32);
  return readHex(keccak_256(buf), 0, 32);
}
