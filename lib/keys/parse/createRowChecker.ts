import { KeyFormatError, formatLine } from "../errors.js";
import { normaliseKey } from "../normaliseKey.js";
import { createDuplicateTracker } from "../createDuplicateTracker.js";
import { assessBatchEntropy } from "../assessBatchEntropy.js";
import type { PinSummary } from "../assessBatchEntropy.js";
import type { KeyRecord } from "../../schemas/keyRecord.js";
import { cleanCell } from "./cleanCell.js";
import type { KeyFileParserOptions, KeyFileReport } from "./types.js";

/** The row checks of a key file (see {@link createRowChecker}). */
export type RowChecker = {
  /**
   * Checks one row's serial and PIN cells (as read: cleaned here) and appends the normalised key to `out`, or
   * reports why the row is refused.
   */
  take(line: number, rawSerial: string | undefined, rawPin: string | undefined, out: KeyRecord[]): void;
  /** After the last row: sets the report's entropy and adds the stripped-zeros warnings. */
  finish(): void;
};

const SCI_DAMAGE = "a spreadsheet rounded the number and the digits are lost. Export the column as text.";
const STRIPPED = ": leading zeros were probably stripped by a spreadsheet";

/** A field spreadsheets produce from long numbers: 1.23457E+16, 1E+16, 1,23457E+16. */
function isSciNotation(s: string): boolean {
  const n = s.length;
  if (n < 4) return false;
  // Fast exit for the usual field: no "E+", "E-", "e+" or "e-" at all.
  const e = s.indexOf("E");
  if ((e < 0 ? s.indexOf("e") : e) < 1) return false;
  let i = 0;
  let digits = 0;
  while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) {
    i++;
    digits++;
  }
  if (digits === 0) return false;
  if (i < n && (s[i] === "." || s[i] === ",")) {
    i++;
    while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  }
  if (i >= n || (s[i] !== "E" && s[i] !== "e")) return false;
  i++;
  if (i >= n || (s[i] !== "+" && s[i] !== "-")) return false;
  i++;
  const expStart = i;
  while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  return i === n && i > expStart;
}

function isAllDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Creates the row checks of a key file: spreadsheet damage (scientific notation), undecodable text (U+FFFD),
 * empty PINs, `normaliseKey`'s refusals, declared lengths (stripped leading zeros named as such) and
 * duplicates (with the line first seen). Accepted keys are counted into the report's length histograms and the
 * PIN summary the entropy check uses. Messages never quote a PIN.
 *
 * @param options - the parser's options (case rule, declared lengths, duplicate mode).
 * @param report - the parser's report (encoding for messages; keys, lengths, warnings, entropy are written).
 * @param issue - records a refused row: (line, code, message).
 * @returns the checker (`take` per row, `finish` at the end).
 * @example
 * const rows = createRowChecker({ pinLength: 16 }, report, issue);
 * rows.take(2, "1234567890123456", "ABCDEFGHJKLMNPQR", out);
 */
export function createRowChecker(
  options: KeyFileParserOptions,
  report: KeyFileReport,
  issue: (line: number, code: string, message: string) => void,
): RowChecker {
  const caseInsensitive = options.caseInsensitive === true;
  const dup = options.duplicates === "off" ? undefined : createDuplicateTracker(options.duplicates ?? "pin+serial");
  const pins: PinSummary = { count: 0, minLength: Infinity, maxLength: 0, classes: 0, distinct: 0 };
  const seenChars = new Uint8Array(128);
  /** First lines per length, for the stripped-zeros warning. */
  const shortLines = { serial: new Map<number, number[]>(), pin: new Map<number, number[]>() };
  const digitsOnly = { serial: true, pin: true };
  let lastPinClasses = 0;

  const track = (field: "serial" | "pin", value: string, ln: number) => {
    const len = value.length;
    const h = report.lengths[field];
    const seen = (h[len] ?? 0) + 1;
    h[len] = seen;
    if (digitsOnly[field] && (field === "pin" ? lastPinClasses !== 1 : !isAllDigits(value))) digitsOnly[field] = false;
    if (seen <= 5) {
      let lines = shortLines[field].get(len);
      if (!lines) shortLines[field].set(len, (lines = []));
      lines.push(ln);
    }
  };

  const take = (ln: number, rawSerial: string | undefined, rawPin: string | undefined, out: KeyRecord[]) => {
    const serialIn = rawSerial === undefined ? undefined : cleanCell(rawSerial);
    const pinIn = rawPin === undefined ? "" : cleanCell(rawPin);
    if (pinIn.indexOf("\uFFFD") >= 0 || (serialIn !== undefined && serialIn.indexOf("\uFFFD") >= 0)) {
      const gb = report.encoding === "gb18030";
      const hint = gb ? "" : "; if the file is GBK pass encoding gbk";
      issue(ln, "ENCODING", `undecodable bytes (U+FFFD) in ${gb ? "GB18030" : "UTF-8"} text${hint}.`);
      return;
    }
    if (serialIn !== undefined && isSciNotation(serialIn)) {
      issue(ln, "SCI_NOTATION", `serial ${JSON.stringify(serialIn)} is in scientific notation: ${SCI_DAMAGE}`);
      return;
    }
    if (isSciNotation(pinIn)) {
      issue(ln, "SCI_NOTATION", `the PIN is in scientific notation: ${SCI_DAMAGE}`);
      return;
    }
    if (pinIn.length === 0) {
      issue(ln, "EMPTY_PIN", "the PIN is empty.");
      return;
    }
    let key;
    try {
      key = normaliseKey({ serial: serialIn, pin: pinIn }, { caseInsensitive });
    } catch (e) {
      issue(ln, "FORMAT", e instanceof KeyFormatError ? e.shortMessage.replace(/^Invalid /, "invalid ") : String(e));
      return;
    }
    if (options.serialLength !== undefined && key.serial !== undefined && key.serial.length !== options.serialLength) {
      const short = key.serial.length < options.serialLength && isAllDigits(key.serial);
      issue(
        ln,
        short ? "LEADING_ZEROS" : "LENGTH",
        `serial ${JSON.stringify(key.serial)} has ${key.serial.length} characters, ` +
          `${options.serialLength} declared${short ? STRIPPED : ""}.`,
      );
      return;
    }
    if (options.pinLength !== undefined && key.pin.length !== options.pinLength) {
      const short = key.pin.length < options.pinLength && isAllDigits(key.pin);
      issue(
        ln,
        short ? "LEADING_ZEROS" : "LENGTH",
        `the PIN has ${key.pin.length} characters, ${options.pinLength} declared${short ? STRIPPED : ""}.`,
      );
      return;
    }
    if (dup) {
      const d = dup.add(key, ln);
      if (d.length > 0) {
        for (const x of d) {
          const what = x.field === "pin" ? "PIN" : `serial ${JSON.stringify(key.serial)}`;
          issue(ln, "DUPLICATE", `duplicate ${what} (first seen on line ${formatLine(x.firstLine)}).`);
        }
        return;
      }
    }
    // One pass over the PIN: character classes (entropy, digits-only) and distinct characters.
    const pin = key.pin;
    const pl = pin.length;
    let classes = 0;
    for (let i = 0; i < pl; i++) {
      const c = pin.charCodeAt(i);
      if (c < 128) {
        classes |= c >= 48 && c <= 57 ? 1 : c >= 65 && c <= 90 ? 2 : c >= 97 && c <= 122 ? 4 : 8;
        if (seenChars[c] === 0) {
          seenChars[c] = 1;
          pins.distinct++;
        }
      } else classes |= 16;
    }
    lastPinClasses = classes;
    if (key.serial !== undefined) track("serial", key.serial, ln);
    track("pin", pin, ln);
    pins.count++;
    if (pl < pins.minLength) pins.minLength = pl;
    if (pl > pins.maxLength) pins.maxLength = pl;
    pins.classes |= classes;
    const rec: KeyRecord =
      key.serial === undefined ? { line: ln, pin: key.pin } : { line: ln, serial: key.serial, pin: key.pin };
    report.keys++;
    out.push(rec);
  };

  const finish = () => {
    report.entropy = assessBatchEntropy(pins, { caseInsensitive });
    for (const field of ["serial", "pin"] as const) {
      const declared = field === "serial" ? options.serialLength : options.pinLength;
      const h = report.lengths[field];
      const total = Object.values(h).reduce((a, b) => a + b, 0);
      if (declared !== undefined || !digitsOnly[field] || total < 10) continue;
      let mode = 0;
      let modeCount = 0;
      for (const [len, c] of Object.entries(h)) {
        if (c > modeCount) {
          mode = Number(len);
          modeCount = c;
        }
      }
      if (modeCount / total < 0.9) continue;
      const shorter = Object.keys(h)
        .map(Number)
        .filter((l) => l < mode);
      if (shorter.length === 0) continue;
      const count = shorter.reduce((a, l) => a + (h[l] ?? 0), 0);
      const lines = shorter
        .flatMap((l) => shortLines[field].get(l) ?? [])
        .sort((a, b) => a - b)
        .slice(0, 5);
      const name = field === "pin" ? "PIN" : "serial";
      const more = count > lines.length ? ", …" : "";
      const where = `line${lines.length === 1 ? "" : "s"} ${lines.map(formatLine).join(", ")}${more}`;
      report.warnings.push(
        `${count} ${name}${count === 1 ? "" : "s"} shorter than the usual ${mode} digits (${where}): ` +
          "leading zeros stripped by a spreadsheet? " +
          `Declare ${field === "pin" ? "pinLength" : "serialLength"} ${mode} to refuse them.`,
      );
    }
  };

  return { take, finish };
}
