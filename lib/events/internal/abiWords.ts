import type { Address, Hex } from "viem";
import { LedgerLogDecodeError } from "../errors.js";

/**
 * ABI word readers shared by the ledger log decoders (v2 and v1): a raw log as a decoder reads it —
 * `name` is the event being decoded (for messages), `topics` and `data` are the log's, data without
 * its `0x` and lower-cased. Every reader names the event and the argument when the log is short.
 */
export type WordReader = { name: string; topics: readonly Hex[]; data: string };

const utf8 = new TextDecoder("utf-8", { fatal: false });

export function dataWord(r: WordReader, slot: number, arg: string): string {
  const w = r.data.slice(slot * 64, slot * 64 + 64);
  if (w.length !== 64) {
    throw new LedgerLogDecodeError(
      `event ${r.name}: data has ${r.data.length / 2} bytes, expected at least ${(slot + 1) * 32} (argument ${arg}).`,
    );
  }
  return w;
}

export function topicWord(r: WordReader, index: number, arg: string): string {
  const t = r.topics[index];
  if (t === undefined || t.length !== 66) {
    throw new LedgerLogDecodeError(`event ${r.name}: topic ${index} (indexed argument ${arg}) is ${t ?? "missing"}.`);
  }
  return t.slice(2).toLowerCase();
}

export const address = (w: string): Address => `0x${w.slice(24)}`;
export const bytes32 = (w: string): Hex => `0x${w}`;
export const bytes3 = (w: string): Hex => `0x${w.slice(0, 6)}`;
export const bool = (w: string): boolean => w.charCodeAt(63) === 49; // "1"
/** uint8..uint48: a number (viem's rule). */
export const small = (w: string): number => Number.parseInt(w, 16);
/** uint56 and wider: a bigint. */
export const big = (w: string): bigint => BigInt(`0x${w}`);

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE["0123456789abcdef".charCodeAt(i)] = i;
}

/** A dynamic `string` argument whose head (offset word) is at `slot`. */
export function string(r: WordReader, slot: number, arg: string): string {
  const offset = Number.parseInt(dataWord(r, slot, arg), 16) * 2;
  const lenWord = r.data.slice(offset, offset + 64);
  const len = Number.parseInt(lenWord, 16);
  if (lenWord.length !== 64 || !(offset + 64 + len * 2 <= r.data.length)) {
    throw new LedgerLogDecodeError(
      `event ${r.name}: string ${arg} at byte ${offset / 2} runs past the data (${r.data.length / 2} bytes).`,
    );
  }
  const bytes = new Uint8Array(len);
  for (let i = 0, p = offset + 64; i < len; i++, p += 2) {
    const hi = HEX_VALUE[r.data.charCodeAt(p)] ?? -1;
    const lo = HEX_VALUE[r.data.charCodeAt(p + 1)] ?? -1;
    if (hi < 0 || lo < 0) throw new LedgerLogDecodeError(`event ${r.name}: string ${arg} holds a non-hex digit.`);
    bytes[i] = hi * 16 + lo;
  }
  return utf8.decode(bytes);
}
