/**
 * Strict base64url encoding without padding (RFC 4648 section 5), internal to the codec. Apart from the
 * decoder (base64url.ts) so that a verifier that only decodes does not carry the encoder's tables.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const CODES = new Uint8Array(64);
for (let i = 0; i < 64; i++) CODES[i] = ALPHABET.charCodeAt(i);
/** 12 bits -> two output characters as one 16-bit store (byte order of this platform). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const PAIRS = new Uint16Array(4096);
for (let i = 0; i < 4096; i++) {
  const a = CODES[i >> 6]!;
  const b = CODES[i & 63]!;
  PAIRS[i] = LITTLE_ENDIAN ? a | (b << 8) : (a << 8) | b;
}
const ascii = new TextDecoder();
let outBuf = new Uint8Array(4096);
let out16 = new Uint16Array(outBuf.buffer);

/** base64url of `bytes[0, length)`, no padding. */
export function base64urlEncode(bytes: Uint8Array, length: number = bytes.length): string {
  const size = Math.ceil((length * 4) / 3) + 2;
  if (outBuf.length < size) {
    outBuf = new Uint8Array(size + (size & 1));
    out16 = new Uint16Array(outBuf.buffer);
  }
  const out = outBuf;
  const pairs = out16;
  let p = 0;
  let i = 0;
  for (; i + 3 <= length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    pairs[p++] = PAIRS[n >>> 12]!;
    pairs[p++] = PAIRS[n & 4095]!;
  }
  let o = p * 2;
  const rest = length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out[o++] = CODES[n >>> 18]!;
    out[o++] = CODES[(n >>> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out[o++] = CODES[n >>> 18]!;
    out[o++] = CODES[(n >>> 12) & 63]!;
    out[o++] = CODES[(n >>> 6) & 63]!;
  }
  return ascii.decode(out.subarray(0, o));
}
