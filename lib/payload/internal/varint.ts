/**
 * Unsigned LEB128 varints limited to 2^53 - 1 (JavaScript safe integers), internal to the codec.
 * Canonical: the shortest encoding only (a last byte of 0x00 is allowed only for the value 0).
 */

/** Largest value a payload varint may carry. */
export const VARINT_MAX = Number.MAX_SAFE_INTEGER;
/** Longest varint accepted: ceil(53 / 7) bytes. */
export const VARINT_MAX_BYTES = 8;

/** Writes `value` (a safe non-negative integer, checked by the caller) at `offset`; returns the new offset. */
export function writeVarint(value: number, out: Uint8Array, offset: number): number {
  let v = value;
  while (v >= 128) {
    out[offset++] = (v % 128) | 128;
    v = Math.floor(v / 128);
  }
  out[offset++] = v;
  return offset;
}

/** Outcome of {@link readVarint}. */
export type ReadVarintResult =
  { ok: true; value: number; next: number } | { ok: false; problem: "truncated" | "non-canonical" | "overflow" };

/** Reads a canonical varint at `offset`. */
export function readVarint(bytes: Uint8Array, offset: number): ReadVarintResult {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < VARINT_MAX_BYTES; i++) {
    const pos = offset + i;
    if (pos >= bytes.length) return { ok: false, problem: "truncated" };
    const b = bytes[pos]!;
    value += (b & 127) * scale;
    if (b < 128) {
      if (b === 0 && i > 0) return { ok: false, problem: "non-canonical" };
      if (value > VARINT_MAX) return { ok: false, problem: "overflow" };
      return { ok: true, value, next: pos + 1 };
    }
    scale *= 128;
  }
  return { ok: false, problem: "overflow" };
}
