/** Hex <-> bytes helpers for fixed-size fields (internal to the codec; strict, no Buffer). */

const HEX_CHARS = "0123456789abcdef";
const BYTE_TO_HEX: string[] = Array.from({ length: 256 }, (_, i) => HEX_CHARS[i >> 4]! + HEX_CHARS[i & 15]!);
/** char code -> nibble, 255 = not hex */
const NIBBLE = new Uint8Array(128).fill(255);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  NIBBLE[65 + i] = 10 + i;
  NIBBLE[97 + i] = 10 + i;
}

/** (charCode(hi) << 7 | charCode(lo)) -> byte value, 256 = not a hex pair. */
const PAIR = new Uint16Array(1 << 14).fill(256);
for (let a = 0; a < 128; a++) {
  for (let b = 0; b < 128; b++) {
    const hi = NIBBLE[a]!;
    const lo = NIBBLE[b]!;
    if (hi !== 255 && lo !== 255) PAIR[(a << 7) | b] = (hi << 4) | lo;
  }
}

/**
 * Writes `0x`-prefixed hex of exactly `size` bytes into `out` at `offset`.
 * @returns false when `hex` is not `0x` + 2*size hex digits (either case).
 */
export function writeHex(hex: string, size: number, out: Uint8Array, offset: number): boolean {
  if (
    typeof hex !== "string" ||
    hex.length !== 2 + 2 * size ||
    hex.charCodeAt(0) !== 48 ||
    (hex.charCodeAt(1) | 32) !== 120
  )
    return false;
  for (let i = 0, j = 2; i < size; i++, j += 2) {
    const a = hex.charCodeAt(j);
    const b = hex.charCodeAt(j + 1);
    if ((a | b) >= 128) return false;
    const v = PAIR[(a << 7) | b]!;
    if (v === 256) return false;
    out[offset + i] = v;
  }
  return true;
}

const HEX_CODES = new Uint8Array(16);
for (let i = 0; i < 16; i++) HEX_CODES[i] = HEX_CHARS.charCodeAt(i);
const ascii = new TextDecoder();
const chars = new Uint8Array(2 + 2 * 64);
chars[0] = 48;
chars[1] = 120;

/** Lower-case `0x` hex of `bytes[offset, offset + size)`. */
export function readHex(bytes: Uint8Array, offset: number, size: number): `0x${string}` {
  if (size > 64) {
    let s = "0x";
    for (let i = offset, end = offset + size; i < end; i++) s += BYTE_TO_HEX[bytes[i]!]!;
    return s as `0x${string}`;
  }
  for (let i = 0, j = 2; i < size; i++, j += 2) {
    const v = bytes[offset + i]!;
    chars[j] = HEX_CODES[v >> 4]!;
    chars[j + 1] = HEX_CODES[v & 15]!;
  }
  return ascii.decode(chars.subarray(0, 2 + 2 * size)) as `0x${string}`;
}

let allChars = new Uint8Array(4096);

/**
 * Lower-case hex of all of `bytes` without a prefix, in one string: a decoder slices its fields
 * out of it (`"0x" + hex.slice(2 * offset, 2 * (offset + size))`), cheaper than one string per field.
 */
export function bytesToHexString(bytes: Uint8Array): string {
  const n = bytes.length;
  if (allChars.length < 2 * n) allChars = new Uint8Array(2 * n);
  const c = allChars;
  for (let i = 0, j = 0; i < n; i++, j += 2) {
    const v = bytes[i]!;
    c[j] = HEX_CODES[v >> 4]!;
    c[j + 1] = HEX_CODES[v & 15]!;
  }
  return ascii.decode(c.subarray(0, 2 * n));
}
