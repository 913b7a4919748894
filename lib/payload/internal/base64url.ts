/** Strict base64url without padding (RFC 4648 section 5), internal to the codec. */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const DECODE = new Uint8Array(128).fill(255);
for (let i = 0; i < 64; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Outcome of {@link base64urlDecode}: bytes, or the position and kind of the first problem. */
export type Base64urlDecodeResult =
  { ok: true; bytes: Uint8Array } | { ok: false; position: number; problem: "character" | "length" | "spare-bits" };

/**
 * Decodes canonical base64url: only `A-Z a-z 0-9 - _`, no padding, length mod 4 != 1, and the
 * unused low bits of the last character zero (so every byte string has exactly one encoding).
 */
export function base64urlDecode(s: string): Base64urlDecodeResult {
  const n = s.length;
  const firstBad = (): Base64urlDecodeResult => {
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128 || DECODE[c] === 255) return { ok: false, position: i, problem: "character" };
    }
    return { ok: false, position: n - 1, problem: "length" };
  };
  const rest = n & 3;
  if (rest === 1) return firstBad();
  const out = new Uint8Array((n >> 2) * 3 + (rest === 0 ? 0 : rest - 1));
  let o = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const c0 = s.charCodeAt(i);
    const c1 = s.charCodeAt(i + 1);
    const c2 = s.charCodeAt(i + 2);
    const c3 = s.charCodeAt(i + 3);
    if ((c0 | c1 | c2 | c3) >= 128) return firstBad();
    const a = DECODE[c0]!;
    const b = DECODE[c1]!;
    const c = DECODE[c2]!;
    const d = DECODE[c3]!;
    if ((a | b | c | d) & 0xc0) return firstBad();
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >>> 16;
    out[o++] = (v >>> 8) & 255;
    out[o++] = v & 255;
  }
  if (rest !== 0) {
    for (let k = i; k < n; k++) {
      const ch = s.charCodeAt(k);
      if (ch >= 128 || DECODE[ch] === 255) return firstBad();
    }
  }
  if (rest === 2) {
    const a = DECODE[s.charCodeAt(i)]!;
    const b = DECODE[s.charCodeAt(i + 1)]!;
    if ((b & 15) !== 0) return { ok: false, position: i + 1, problem: "spare-bits" };
    out[o++] = (a << 2) | (b >> 4);
  } else if (rest === 3) {
    const a = DECODE[s.charCodeAt(i)]!;
    const b = DECODE[s.charCodeAt(i + 1)]!;
    const c = DECODE[s.charCodeAt(i + 2)]!;
    if ((c & 3) !== 0) return { ok: false, position: i + 2, problem: "spare-bits" };
    out[o++] = (a << 2) | (b >> 4);
    out[o++] = ((b & 15) << 4) | (c >> 2);
  }
  return { ok: true, bytes: out };
}
