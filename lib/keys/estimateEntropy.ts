/** Below this many bits per key the seal command warns (a QR holder could brute-force the key with large resources). */
export const ENTROPY_WARN_BITS = 64;
/** Below this many bits per key the warning is strong (a QR holder could brute-force the key on a laptop or GPU). */
export const ENTROPY_STRONG_WARN_BITS = 40;

/** How worrying an entropy figure is. */
export type EntropyLevel = "ok" | "warn" | "strong-warn";

/** Result of {@link estimateEntropy} (and of `assessBatchEntropy`). */
export type EntropyEstimate = {
  /** Estimated bits of the secret: length x log2(alphabet size). */
  bits: number;
  /** PIN length in characters (the shortest in a batch). */
  length: number;
  /** Size of the alphabet assumed. */
  alphabetSize: number;
  /** Human description of the alphabet, e.g. "digits", "A-Z 0-9". */
  alphabet: string;
  level: EntropyLevel;
  /** Set when level is not "ok": what the risk is, in one sentence. */
  message: string | undefined;
};

/** Character classes of a PIN (bit 1 digits, 2 upper, 4 lower, 8 ASCII symbols, 16 other). */
export function pinClasses(pin: string): number {
  let classes = 0;
  for (let i = 0; i < pin.length; i++) {
    const c = pin.charCodeAt(i);
    if (c >= 48 && c <= 57) classes |= 1;
    else if (c >= 65 && c <= 90) classes |= 2;
    else if (c >= 97 && c <= 122) classes |= 4;
    else if (c < 128) classes |= 8;
    else classes |= 16;
  }
  return classes;
}

/** Alphabet size and description of a class set (see {@link pinClasses}). */
export function classAlphabet(classes: number, caseInsensitive: boolean): { size: number; name: string } {
  const parts: [number, string][] = [];
  if (classes & 1) parts.push([10, "0-9"]);
  if (caseInsensitive && classes & 6) parts.push([26, "A-Z (case-insensitive)"]);
  else {
    if (classes & 2) parts.push([26, "A-Z"]);
    if (classes & 4) parts.push([26, "a-z"]);
  }
  if (classes & 8) parts.push([32, "ASCII symbols"]);
  if (classes & 16) parts.push([1000, "other characters"]);
  const size = parts.reduce((a, [n]) => a + n, 0);
  return {
    size: Math.max(size, 1),
    name: parts.length === 1 && classes === 1 ? "digits" : parts.map(([, name]) => name).join(" "),
  };
}

/** Level and message for a number of bits. */
export function entropyLevel(
  bits: number,
  length: number,
  alphabet: string,
): { level: EntropyLevel; message: string | undefined } {
  const b = Math.floor(bits);
  if (bits < ENTROPY_STRONG_WARN_BITS)
    return {
      level: "strong-warn",
      message: `about ${b} bits (${length} characters, ${alphabet}): anyone holding a key's QR (salt + commitment) can find the key by trying every value on one computer.`,
    };
  if (bits < ENTROPY_WARN_BITS)
    return {
      level: "warn",
      message: `about ${b} bits (${length} characters, ${alphabet}): below ${ENTROPY_WARN_BITS} bits, a determined holder of a key's QR could brute-force the key; keep QR codes with the keys.`,
    };
  return { level: "ok", message: undefined };
}

/**
 * Estimates the entropy of one secret (PIN) from its alphabet classes and length: bits =
 * length x log2(alphabet). The card number (serial) is not counted: it is usually printed or
 * sequential. A 6-digit PIN gives about 20 bits; a 25-character A-Z0-9 code about 129.
 *
 * @param pin The normalised PIN.
 * @param options `caseInsensitive`: letters count once (26, not 52).
 * @returns The estimate with a level ("ok", "warn" below 64 bits, "strong-warn" below 40).
 *
 * @example
 * estimateEntropy("318609139099603082").level // "warn" (18 digits, about 59 bits)
 */
export function estimateEntropy(pin: string, options: { caseInsensitive?: boolean } = {}): EntropyEstimate {
  const { size, name } = classAlphabet(pinClasses(pin), options.caseInsensitive === true);
  const length = [...pin].length;
  const bits = length * Math.log2(size);
  return { bits, length, alphabetSize: size, alphabet: name, ...entropyLevel(bits, length, name) };
}
