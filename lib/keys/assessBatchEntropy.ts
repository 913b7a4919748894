import { classAlphabet, entropyLevel, pinClasses } from "./estimateEntropy.js";
import type { EntropyEstimate } from "./estimateEntropy.js";

/** A running summary of a batch's PINs (what `parseKeyFile` collects while it reads). */
export type PinSummary = {
  count: number;
  minLength: number;
  maxLength: number;
  /** Union of character classes (see `pinClasses`). */
  classes: number;
  /** Distinct characters seen (ASCII only; more than 128 distinct characters is not a concern). */
  distinct: number;
};

/** Result of {@link assessBatchEntropy}. */
export type BatchEntropy = EntropyEstimate & { count: number; maxLength: number };

/** Above this many keys, the characters actually seen bound the alphabet (suppliers often leave out look-alike letters). */
const OBSERVED_ALPHABET_MIN_KEYS = 1000;

/** Summarises PINs for {@link assessBatchEntropy}. */
export function summarisePins(pins: Iterable<string>): PinSummary {
  const seen = new Uint8Array(128);
  const s: PinSummary = { count: 0, minLength: Infinity, maxLength: 0, classes: 0, distinct: 0 };
  for (const pin of pins) {
    s.count++;
    s.minLength = Math.min(s.minLength, pin.length);
    s.maxLength = Math.max(s.maxLength, pin.length);
    s.classes |= pinClasses(pin);
    for (let i = 0; i < pin.length; i++) {
      const c = pin.charCodeAt(i);
      if (c < 128 && seen[c] === 0) {
        seen[c] = 1;
        s.distinct++;
      }
    }
  }
  if (s.count === 0) s.minLength = 0;
  return s;
}

/**
 * Batch-level entropy: the shortest PIN's length times log2 of the batch's alphabet (the classes
 * seen across all PINs; for 1,000 keys or more, no more than the distinct characters actually
 * seen). Warns below 64 bits, warns strongly below 40 bits.
 *
 * @param input PINs (normalised), or a summary collected while streaming.
 * @param options `caseInsensitive` when the batch's codes ignore case.
 * @returns The estimate for the weakest key of the batch.
 *
 * @example
 * assessBatchEntropy(records.map((r) => r.pin)).level // "warn" for 16-digit game cards
 */
export function assessBatchEntropy(
  input: Iterable<string> | PinSummary,
  options: { caseInsensitive?: boolean } = {},
): BatchEntropy {
  const s =
    typeof (input as Iterable<string>)[Symbol.iterator] === "function"
      ? summarisePins(input as Iterable<string>)
      : (input as PinSummary);
  const byClass = classAlphabet(s.classes, options.caseInsensitive === true);
  const size =
    s.count >= OBSERVED_ALPHABET_MIN_KEYS && s.distinct > 1 ? Math.min(byClass.size, s.distinct) : byClass.size;
  const alphabet = size < byClass.size ? `${byClass.name}, ${size} distinct characters seen` : byClass.name;
  const bits = s.minLength * Math.log2(size);
  return {
    bits,
    length: s.minLength,
    maxLength: s.maxLength,
    count: s.count,
    alphabetSize: size,
    alphabet,
    ...entropyLevel(bits, s.minLength, alphabet),
  };
}
