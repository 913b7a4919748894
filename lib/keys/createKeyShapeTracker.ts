import { classAlphabet, ENTROPY_WARN_BITS } from "./estimateEntropy.js";

/** The estimate for one PIN length of a batch (see {@link createKeyShapeTracker}). */
export type KeyShape = {
  /** PIN length in characters. */
  length: number;
  /** Keys of this length. */
  count: number;
  /** Per position, the characters a guesser must try there, as runs: `[0-9]{8}`, `[A-Z]{2}[0-9]{6}`. */
  shape: string;
  /** Estimated bits: the sum over positions of log2(alphabet size at that position). */
  bits: number;
};

/** Result of `KeyShapeTracker.result()`: the weakest shape and every length's. */
export type KeyShapeEstimate = {
  /** The shape with the fewest bits (undefined for no keys). */
  weakest: KeyShape | undefined;
  /** One shape per PIN length, weakest first. */
  shapes: KeyShape[];
  /** Whether the weakest shape is under `ENTROPY_WARN_BITS` (64). */
  weak: boolean;
};

/** Adds PINs one by one; `result()` gives the per-position estimate. */
export type KeyShapeTracker = {
  /** Adds one normalised PIN. */
  add(pin: string): void;
  /** Adds one normalised ASCII PIN held as bytes `data[start, end)` (the seal's fast reader). */
  addBytes(data: Uint8Array, start: number, end: number): void;
  result(): KeyShapeEstimate;
};

/** From this many keys of a length on, the characters actually seen at a position bound its alphabet. */
const OBSERVED_MIN_KEYS = 1000;
/**
 * From this many keys of a length on, each position has its own classes; below it every position takes the classes
 * seen anywhere in those keys (a random A-Z0-9 position shows only letters in 64 draws with probability 0.72^64, about
 * 10^-9, but in one draw with 0.72).
 */
const PER_POSITION_MIN_KEYS = 64;
/** Positions tracked per length; longer PINs count their first 256 positions (far above any weak threshold). */
const MAX_POSITIONS = 256;

type Group = { count: number; classes: Uint8Array; seen: Uint8Array; distinct: Uint16Array };

/** The class bit of one character code, as `pinClasses` gives it (128 and above: "other"). */
function classOf(c: number): number {
  if (c >= 48 && c <= 57) return 1;
  if (c >= 65 && c <= 90) return 2;
  if (c >= 97 && c <= 122) return 4;
  return c < 128 ? 8 : 16;
}

/** `[0-9]`, `[A-Z0-9]`… for a class set (see `pinClasses`). */
function classPattern(classes: number, caseInsensitive: boolean): string {
  if (classes & 16) return ".";
  let s = "";
  if (classes & 6 && caseInsensitive) s += "A-Z";
  else {
    if (classes & 2) s += "A-Z";
    if (classes & 4) s += "a-z";
  }
  if (classes & 1) s += "0-9";
  if (classes & 8) s += "!-~";
  return `[${s}]`;
}

/**
 * Tracks a batch's PINs per length and per position, for the seal's weak-key check: at each position the
 * character classes seen there (digits, A-Z, a-z, ASCII symbols, other) give the alphabet a guesser must try (with
 * fewer than 64 keys of a length, the classes seen anywhere in them); from 1,000 keys of a length on, no more than
 * the distinct characters seen at that position (a fixed prefix adds no bits). A length's estimate is the sum of log2(alphabet) over its positions; the batch's is its weakest length.
 * This is what a holder of one QR (salt and commitment) must search to find that key, assuming the supplier's
 * generator is uniform within each position's alphabet; a biased generator gives less.
 *
 * @param options `caseInsensitive`: letters count once (26, not 52).
 * @returns The tracker.
 *
 * @example
 * const t = createKeyShapeTracker();
 * for (const pin of ["12345678", "87654321"]) t.add(pin);
 * t.result().weakest // { length: 8, count: 2, shape: "[0-9]{8}", bits: 26.6 }
 */
export function createKeyShapeTracker(options: { caseInsensitive?: boolean } = {}): KeyShapeTracker {
  const caseInsensitive = options.caseInsensitive === true;
  const groups = new Map<number, Group>();
  const group = (length: number): Group => {
    let g = groups.get(length);
    if (g === undefined) {
      const n = Math.min(length, MAX_POSITIONS);
      g = { count: 0, classes: new Uint8Array(n), seen: new Uint8Array(n * 128), distinct: new Uint16Array(n) };
      groups.set(length, g);
    }
    g.count++;
    return g;
  };
  const put = (g: Group, p: number, c: number) => {
    if (p >= g.classes.length) return;
    g.classes[p]! |= classOf(c);
    if (c < 128 && g.seen[p * 128 + c] === 0) {
      g.seen[p * 128 + c] = 1;
      g.distinct[p]!++;
    }
  };
  return {
    add(pin) {
      const chars = [...pin];
      const g = group(chars.length);
      for (let p = 0; p < chars.length; p++) put(g, p, chars[p]!.length === 1 ? chars[p]!.charCodeAt(0) : 128);
    },
    addBytes(data, start, end) {
      const g = group(end - start);
      for (let k = start; k < end; k++) put(g, k - start, data[k]!);
    },
    result() {
      const shapes: KeyShape[] = [];
      for (const [length, g] of groups) {
        let bits = 0;
        const runs: [string, number][] = [];
        let union = 0;
        for (let p = 0; p < g.classes.length; p++) union |= g.classes[p]!;
        const perPosition = g.count >= PER_POSITION_MIN_KEYS;
        for (let p = 0; p < g.classes.length; p++) {
          const classes = perPosition ? g.classes[p]! : union;
          const byClass = classAlphabet(classes, caseInsensitive);
          const distinct = g.distinct[p]!;
          const observed = g.count >= OBSERVED_MIN_KEYS && distinct > 0 && (classes & 16) === 0;
          const size = observed ? Math.min(byClass.size, distinct) : byClass.size;
          bits += Math.log2(size);
          const pattern = observed && size === 1 ? "(fixed)" : classPattern(classes, caseInsensitive);
          const last = runs[runs.length - 1];
          if (last && last[0] === pattern) last[1]++;
          else runs.push([pattern, 1]);
        }
        const shape = runs.map(([pat, n]) => (n === 1 ? pat : `${pat}{${n}}`)).join("");
        shapes.push({ length, count: g.count, shape, bits });
      }
      shapes.sort((x, y) => x.bits - y.bits || x.length - y.length);
      const weakest = shapes[0];
      return { weakest, shapes, weak: weakest !== undefined && weakest.bits < ENTROPY_WARN_BITS };
    },
  };
}
