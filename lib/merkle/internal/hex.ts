/** Hex <-> bytes helpers of the Merkle module (strict, no Buffer). */
import type { Hex } from "viem";

const HEX = "0123456789abcdef";
const CODES = new Uint8Array(16);
for (let i = 0; i < 16; i++) CODES[i] = HEX.charCodeAt(i);
/** char code -> nibble; 255 = not a hex digit */
const NIBBLE = new Uint8Array(128).fill(255);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  NIBBLE[65 + i] = 10 + i;
  NIBBLE[97 + i] = 10 + i;
}
const latin1 = new TextDecoder("latin1");
const chars = new Uint8Array(66);
chars[0] = 48;
chars[1] = 120;

/** Writes `0x` + 64 hex digits as 32 bytes into `out` at `offset`; false if `hex` is not exactly that. */
export function writeHex32(hex: unknown, out: Uint8Array, offset: number): boolean {
  if (typeof hex !== "string" || hex.length !== 66 || hex.charCodeAt(0) !== 48 || (hex.charCodeAt(1) | 32) !== 120)
    return false;
  for (let i = 0, j = 2; i < 32; i++, j += 2) {
    const a = hex.charCodeAt(j);
    const b = hex.charCodeAt(j + 1);
    const hi = a < 128 ? NIBBLE[a]! : 255;
    const lo = b < 128 ? NIBBLE[b]! : 255;
    if ((hi | lo) === 255) return false;
    out[offset + i] = (hi << 4) | lo;
  }
  return true;
}

/** Lower-case `0x` hex of the 32 bytes at `offset`. */
export function readHex32(bytes: Uint8Array, offset: number): Hex {
  for (let i = 0, j = 2; i < 32; i++, j += 2) {
    const v = bytes[offset + i]!;
    chars[j] = CODES[v >> 4]!;
    chars[j + 1] = CODES[v & 15]!;
  }
  return latin1.decode(chars) as Hex;
}

let many = new Uint8Array(66 * 64);

/**
 * Lower-case `0x` hex of several 32-byte nodes (`layers[k]` at byte offset `offsets[k]`), with one text decode
 * for all of them: about twice as fast as {@link readHex32} per node for proofs.
 */
export function readHex32Many(layers: readonly Uint8Array[], offsets: readonly number[], count: number): Hex[] {
  if (many.length < count * 66) many = new Uint8Array(count * 66);
  let p = 0;
  for (let n = 0; n < count; n++) {
    const bytes = layers[n]!;
    const o = offsets[n]!;
    many[p++] = 48;
    many[p++] = 120;
    for (let i = 0; i < 32; i++) {
      const v = bytes[o + i]!;
      many[p++] = CODES[v >> 4]!;
      many[p++] = CODES[v & 15]!;
    }
  }
  const text = latin1.decode(many.subarray(0, p));
  const out: Hex[] = new Array(count);
  for (let n = 0; n < count; n++) out[n] = text.slice(n * 66, n * 66 + 66) as Hex;
  return out;
}
