import { ProofError } from "./errors.js";

/** A decoded RLP item: a byte string or a list of items. */
export type RlpItem = Uint8Array | RlpItem[];

function decodeAt(bytes: Uint8Array, pos: number, end: number): { item: RlpItem; next: number } {
  if (pos >= end) throw new ProofError(`RLP: item at byte ${pos} runs past the end (${end}).`);
  const b = bytes[pos]!;
  if (b < 0x80) return { item: bytes.subarray(pos, pos + 1), next: pos + 1 };
  const readLength = (lenOfLen: number, at: number) => {
    if (at + lenOfLen > end) throw new ProofError(`RLP: length at byte ${at} runs past the end.`);
    if (bytes[at] === 0) throw new ProofError(`RLP: length at byte ${at} has a leading zero.`);
    let n = 0;
    for (let i = 0; i < lenOfLen; i++) n = n * 256 + bytes[at + i]!;
    if (n < 56) throw new ProofError(`RLP: long length ${n} at byte ${at} should be short.`);
    return n;
  };
  if (b < 0xb8) {
    const len = b - 0x80;
    const next = pos + 1 + len;
    if (next > end) throw new ProofError(`RLP: string at byte ${pos} (${len} bytes) runs past the end.`);
    if (len === 1 && bytes[pos + 1]! < 0x80) throw new ProofError(`RLP: single byte at ${pos} is not canonical.`);
    return { item: bytes.subarray(pos + 1, next), next };
  }
  if (b < 0xc0) {
    const lenOfLen = b - 0xb7;
    const len = readLength(lenOfLen, pos + 1);
    const start = pos + 1 + lenOfLen;
    if (start + len > end) throw new ProofError(`RLP: string at byte ${pos} (${len} bytes) runs past the end.`);
    return { item: bytes.subarray(start, start + len), next: start + len };
  }
  let start: number;
  let len: number;
  if (b < 0xf8) {
    start = pos + 1;
    len = b - 0xc0;
  } else {
    const lenOfLen = b - 0xf7;
    len = readLength(lenOfLen, pos + 1);
    start = pos + 1 + lenOfLen;
  }
  const stop = start + len;
  if (stop > end) throw new ProofError(`RLP: list at byte ${pos} (${len} bytes) runs past the end.`);
  const items: RlpItem[] = [];
  for (let p = start; p < stop;) {
    const r = decodeAt(bytes, p, stop);
    items.push(r.item);
    p = r.next;
  }
  return { item: items, next: stop };
}

/**
 * Decodes one RLP item that must span all of `bytes` (canonical encodings only).
 *
 * @param bytes - the encoding.
 * @returns the item.
 * @example
 * rlpDecode(Uint8Array.of(0x82, 0x04, 0x00)) // Uint8Array [4, 0]
 */
export function rlpDecode(bytes: Uint8Array): RlpItem {
  const { item, next } = decodeAt(bytes, 0, bytes.length);
  if (next !== bytes.length) throw new ProofError(`RLP: ${bytes.length - next} trailing bytes after the item.`);
  return item;
}

function lengthPrefix(len: number, offset: number): Uint8Array {
  if (len < 56) return Uint8Array.of(offset + len);
  const digits: number[] = [];
  for (let n = len; n > 0; n = Math.floor(n / 256)) digits.unshift(n % 256);
  return Uint8Array.of(offset + 55 + digits.length, ...digits);
}

/**
 * Encodes an RLP item.
 *
 * @param item - a byte string or a list.
 * @returns the canonical encoding.
 * @example
 * rlpEncode([Uint8Array.of(1), new Uint8Array()]) // Uint8Array [0xc2, 0x01, 0x80]
 */
export function rlpEncode(item: RlpItem): Uint8Array {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && item[0]! < 0x80) return item;
    const head = lengthPrefix(item.length, 0x80);
    const out = new Uint8Array(head.length + item.length);
    out.set(head);
    out.set(item, head.length);
    return out;
  }
  const parts = item.map(rlpEncode);
  const len = parts.reduce((n, p) => n + p.length, 0);
  const head = lengthPrefix(len, 0xc0);
  const out = new Uint8Array(head.length + len);
  out.set(head);
  let p = head.length;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}
