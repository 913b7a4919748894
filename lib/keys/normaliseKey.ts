import { KeyFormatError } from "./errors.js";

/** A card key: an optional card number (卡号) and the secret (卡密 / PIN). */
export type CardKey = { serial?: string | undefined; pin: string };

/** Options of {@link normaliseKey}. */
export type NormaliseKeyOptions = {
  /**
   * The batch's keys are case-insensitive (membership codes, many product keys): ASCII a-z become
   * A-Z. Must be the same at seal and at verify; payloads carry it as `keyCase: "upper"`.
   */
  caseInsensitive?: boolean;
};

/** Whether a code point (after NFKC) is removed: white space, invisible format characters, separators. */
function isStripped(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13) || c === 45 || c === 95;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0xad ||
    c === 0xb7 ||
    c === 0x1680 ||
    c === 0x180e ||
    (c >= 0x2000 && c <= 0x200d) ||
    (c >= 0x2010 && c <= 0x2015) ||
    c === 0x2027 ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x2043 ||
    c === 0x205f ||
    c === 0x2060 ||
    c === 0x2212 ||
    c === 0x3000 ||
    c === 0x30fb ||
    c === 0xfe58 ||
    c === 0xfe63 ||
    c === 0xfeff ||
    c === 0xff0d ||
    c === 0xff3f ||
    c === 0xff65
  );
}

function normaliseField(raw: string, upper: boolean, field: string): string {
  const n = raw.length;
  // ASCII fast path (one pass); the first non-ASCII character sends the whole field to the Unicode path.
  ascii: {
    let out = "";
    let start = 0;
    let clean = true;
    for (let i = 0; i < n; i++) {
      const c = raw.charCodeAt(i);
      if (c >= 128) break ascii;
      if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90)) continue; // digits and capitals: the usual case
      if (c === 32 || (c >= 9 && c <= 13) || c === 45 || c === 95) {
        if (clean) out = raw.slice(0, i);
        else out += raw.slice(start, i);
        clean = false;
        start = i + 1;
      } else if (c < 32 || c === 127) {
        throw new KeyFormatError(
          `Invalid ${field}: control character U+${c.toString(16).padStart(4, "0").toUpperCase()} at position ${i}.`,
        );
      } else if (upper && c >= 97 && c <= 122) {
        if (clean) out = raw.slice(0, i);
        else out += raw.slice(start, i);
        out += String.fromCharCode(c - 32);
        clean = false;
        start = i + 1;
      }
    }
    return clean ? raw : out + raw.slice(start);
  }
  const nfkc = raw.normalize("NFKC");
  let out = "";
  let stripped = false;
  for (let i = 0; i < nfkc.length; i++) {
    const c = nfkc.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = nfkc.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += nfkc[i]! + nfkc[i + 1]!;
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) throw new KeyFormatError(`Invalid ${field}: unpaired surrogate at position ${i}.`);
    if (isStripped(c)) {
      stripped = true;
      continue;
    }
    if (c < 32 || (c >= 127 && c <= 159))
      throw new KeyFormatError(
        `Invalid ${field}: control character U+${c.toString(16).padStart(4, "0").toUpperCase()} at position ${i}.`,
      );
    if (c === 0xfffd)
      throw new KeyFormatError(`Invalid ${field}: contains U+FFFD (text that was not decoded correctly).`);
    out += String.fromCharCode(c);
  }
  // Removing a separator can join a base character and a combining mark: compose again, then
  // apply the case rule (ASCII a-z only), as docs/FORMATS.md orders the steps.
  if (stripped) out = out.normalize("NFKC");
  if (!upper) return out;
  let folded = "";
  for (let i = 0; i < out.length; i++) {
    const c = out.charCodeAt(i);
    folded += c >= 97 && c <= 122 ? String.fromCharCode(c - 32) : out[i];
  }
  return folded;
}

/**
 * Normalises a card key so that a key typed by a person matches the key sealed by the supplier
 * (docs/FORMATS.md, "Key normalisation"): Unicode NFKC (full-width `１２３ＡＢＣ` becomes
 * `123ABC`), white space, invisible characters and separators (`-`, `_`, `·`, dashes, `・`)
 * removed, and with `caseInsensitive` ASCII a-z upper-cased. Other letters keep their case.
 *
 * @param input The key as read or typed; an empty serial after normalisation is dropped.
 * @param options `caseInsensitive` for batches whose codes ignore case.
 * @returns The normalised key (the input of `encodeKeyBytes`).
 * @throws {KeyFormatError} when the PIN is empty, or a field holds control characters or U+FFFD.
 *
 * @example
 * normaliseKey({ pin: "ｊ４ｈ９ｄ－u7794 g9dpm" }, { caseInsensitive: true }) // { pin: "J4H9DU7794G9DPM" }
 */
export function normaliseKey(input: CardKey, options: NormaliseKeyOptions = {}): CardKey {
  const upper = options.caseInsensitive === true;
  if (input === null || typeof input !== "object" || typeof input.pin !== "string")
    throw new KeyFormatError("Invalid key: expected { pin: string, serial?: string }.");
  const pin = normaliseField(input.pin, upper, "PIN");
  if (pin.length === 0) throw new KeyFormatError("Invalid key: the PIN is empty after removing spaces and separators.");
  if (input.serial === undefined || input.serial === null) return { pin };
  if (typeof input.serial !== "string") throw new KeyFormatError("Invalid key: serial must be a string.");
  const serial = normaliseField(input.serial, upper, "serial");
  return serial.length === 0 ? { pin } : { serial, pin };
}
