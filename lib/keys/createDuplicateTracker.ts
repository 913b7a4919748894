import type { CardKey } from "./normaliseKey.js";

/** A key seen twice: which field repeats, where, and where it was first seen. */
export type DuplicateKey = { field: "pin" | "serial"; line: number; firstLine: number };

/** What counts as a duplicate: the same PIN, the same serial, or both checks (default). */
export type DuplicateMode = "pin" | "serial" | "pin+serial";

/** A running duplicate check (see {@link createDuplicateTracker}). */
export type DuplicateTracker = {
  /** Records a key and returns the duplicates it makes (empty when none). */
  add(key: CardKey, line: number): DuplicateKey[];
};

const NONE: DuplicateKey[] = [];

/**
 * An open-addressing table of 64-bit fingerprints -> first line, in typed arrays: no strings kept
 * (the secrets are not held twice in memory), about 12 bytes per slot, fast for millions of keys.
 * Two values share a fingerprint with probability about n^2 / 2^65 (3e-8 for 1M keys); that
 * would report a false duplicate, never miss a true one.
 */
function createFingerprintTable() {
  let cap = 1 << 12;
  let slots = new Uint32Array(cap * 3); // h1, h2, line (0 = empty)
  let size = 0;
  const insert = (t: Uint32Array, c: number, h1: number, h2: number, line: number): number => {
    let i = (h1 ^ Math.imul(h2, 0x9e3779b1)) & (c - 1);
    for (;;) {
      const o = i * 3;
      const l = t[o + 2]!;
      if (l === 0) {
        t[o] = h1;
        t[o + 1] = h2;
        t[o + 2] = line;
        return 0;
      }
      if (t[o] === h1 && t[o + 1] === h2) return l;
      i = (i + 1) & (c - 1);
    }
  };
  return (s: string, line: number): number => {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193 ^ s.length;
    // Two UTF-16 units per step (an odd last unit pairs with 0; the length is mixed into h2).
    const n = s.length;
    for (let i = 0; i < n; i += 2) {
      const c = s.charCodeAt(i) | ((i + 1 < n ? s.charCodeAt(i + 1) : 0) << 16);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    h1 ^= h1 >>> 16;
    h1 = Math.imul(h1, 0x85ebca6b);
    h1 ^= h1 >>> 13;
    h2 = Math.imul(h2 ^ (h2 >>> 16), 0xc2b2ae35);
    h2 ^= h2 >>> 16;
    h1 >>>= 0;
    h2 >>>= 0;
    const first = insert(slots, cap, h1, h2, line);
    if (first !== 0) return first;
    if (++size * 2 > cap) {
      const next = new Uint32Array(cap * 6);
      for (let i = 0; i < cap; i++) {
        const o = i * 3;
        if (slots[o + 2] !== 0) insert(next, cap * 2, slots[o]!, slots[o + 1]!, slots[o + 2]!);
      }
      cap *= 2;
      slots = next;
    }
    return 0;
  };
}

/**
 * A duplicate check over normalised keys, one fingerprint table per field: the same PIN twice is
 * the same redeemable value sold twice; the same serial twice is a supplier error. Messages built
 * from the result name lines, never the secret. Lines are 1-based (0 is not a line).
 *
 * @param mode Which fields to check (default both).
 * @returns A tracker; call `add` for every key in file order.
 *
 * @example
 * const dup = createDuplicateTracker();
 * for (const r of records) for (const d of dup.add(r, r.line)) console.log(`line ${d.line}: duplicate ${d.field} (first seen on line ${d.firstLine})`);
 */
export function createDuplicateTracker(mode: DuplicateMode = "pin+serial"): DuplicateTracker {
  const pins = mode === "serial" ? undefined : createFingerprintTable();
  const serials = mode === "pin" ? undefined : createFingerprintTable();
  return {
    add(key, line) {
      let out: DuplicateKey[] | undefined;
      if (pins) {
        const first = pins(key.pin, line);
        if (first !== 0) (out ??= []).push({ field: "pin", line, firstLine: first });
      }
      if (serials && key.serial !== undefined) {
        const first = serials(key.serial, line);
        if (first !== 0) (out ??= []).push({ field: "serial", line, firstLine: first });
      }
      return out ?? NONE;
    },
  };
}
