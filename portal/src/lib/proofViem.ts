/**
 * The six viem helpers lib/proof uses (hex and bytes, a padded number, keccak256, a two-word ABI
 * encoding, an EIP-55 address), written on @noble/hashes, which the verify page already ships for
 * Merkle proofs. The portal's build resolves lib/proof's `viem` imports to this module, so the
 * storage-proof reader adds no second keccak and no ABI encoder to the page. Same results and the
 * same refusals as viem for the inputs lib/proof passes (test/portal/proofViem.test.ts compares them).
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import { BaseError } from "../../../lib/errors/BaseError.js";

type Hex = `0x${string}`;

/** A value the proof helpers cannot encode; the message names it. */
export class ProofEncodingError extends BaseError {
  override name = "ProofEncodingError";
}

/**
 * Bytes of a hex string (an odd number of digits gets a leading zero, as in viem).
 *
 * @param hex - `0x…`
 * @returns the bytes
 * @example
 * hexToBytes("0x0102") // Uint8Array [1, 2]
 */
export function hexToBytes(hex: Hex): Uint8Array {
  if (!/^0x[0-9a-fA-F]*$/.test(hex)) throw new ProofEncodingError(`${JSON.stringify(hex)} is not hex.`);
  // Digit by digit (no substring per byte: proof nodes are long and the page decodes many of them).
  const odd = hex.length % 2;
  const out = new Uint8Array((hex.length - 2 + odd) / 2);
  let j = 2;
  if (odd) out[0] = digit(hex.charCodeAt(j++));
  for (let i = odd; i < out.length; i++, j += 2)
    out[i] = (digit(hex.charCodeAt(j)) << 4) | digit(hex.charCodeAt(j + 1));
  return out;
}

/** The value of a hex digit's character code (already validated). */
const digit = (c: number) => (c <= 57 ? c - 48 : (c | 32) - 87);

/** Two lower-case hex digits for each byte value. */
const BYTE_HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Lower-case hex of bytes.
 *
 * @param bytes - the bytes
 * @returns `0x…`
 * @example
 * bytesToHex(new Uint8Array([1, 2])) // "0x0102"
 */
export function bytesToHex(bytes: Uint8Array): Hex {
  let s = "0x";
  for (const b of bytes) s += BYTE_HEX[b]!;
  return s as Hex;
}

/**
 * A non-negative integer as hex, left-padded to `size` bytes.
 *
 * @param value - the integer
 * @param options - `size` in bytes
 * @returns `0x…`
 * @example
 * numberToHex(1n, { size: 2 }) // "0x0001"
 */
export function numberToHex(value: bigint | number, options: { size: number }): Hex {
  const v = BigInt(value);
  if (v < 0n || v >= 1n << BigInt(options.size * 8))
    throw new ProofEncodingError(`${v} does not fit in ${options.size} bytes.`);
  return `0x${v.toString(16).padStart(options.size * 2, "0")}`;
}

/**
 * keccak256 of hex data.
 *
 * @param data - `0x…`
 * @returns the hash as hex
 * @example
 * keccak256("0x") // "0xc5d2…a470"
 */
export function keccak256(data: Hex): Hex {
  return bytesToHex(keccak_256(hexToBytes(data)));
}

/**
 * `abi.encode` of static words: `bytes32` (exactly 32 bytes) and `uint256` values only.
 *
 * @param types - the parameter types
 * @param values - the values
 * @returns the encoding
 * @example
 * encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [key, 6n])
 */
export function encodeAbiParameters(types: readonly { type: string }[], values: readonly unknown[]): Hex {
  if (types.length !== values.length)
    throw new ProofEncodingError(`${types.length} types for ${values.length} values.`);
  let out = "0x";
  types.forEach(({ type }, i) => {
    const v = values[i];
    if (type === "bytes32" && typeof v === "string" && /^0x[0-9a-fA-F]{64}$/.test(v)) out += v.slice(2);
    else if (type === "uint256" && (typeof v === "bigint" || typeof v === "number"))
      out += numberToHex(v, { size: 32 }).slice(2);
    else throw new ProofEncodingError(`Cannot encode ${String(v)} as ${type}.`);
  });
  return out.toLowerCase() as Hex;
}

/**
 * An address in its EIP-55 checksum form.
 *
 * @param address - 20 bytes as hex
 * @returns the checksummed address
 * @example
 * getAddress("0x0000000000000000000000000000000000000000")
 */
export function getAddress(address: string): Hex {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address))
    throw new ProofEncodingError(`${JSON.stringify(address)} is not an address.`);
  const lower = address.slice(2).toLowerCase();
  const hash = keccak_256(new TextEncoder().encode(lower));
  let out = "0x";
  for (let i = 0; i < 40; i++) {
    const nibble = (hash[i >> 1]! >> (i % 2 ? 0 : 4)) & 0xf;
    out += nibble >= 8 ? lower[i]!.toUpperCase() : lower[i];
  }
  return out as Hex;
}
