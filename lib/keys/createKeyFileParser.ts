import { KeyFileError, KeyFormatError, formatLine } from "./errors.js";
import type { KeyFileIssue } from "./errors.js";
import { normaliseKey } from "./normaliseKey.js";
import { createDuplicateTracker } from "./createDuplicateTracker.js";
import type { DuplicateMode } from "./createDuplicateTracker.js";
import { assessBatchEntropy } from "./assessBatchEntropy.js";
import type { BatchEntropy, PinSummary } from "./assessBatchEntropy.js";
import type { KeyRecord } from "../schemas/keyRecord.js";

/** A column: 0-based index, or a header name. */
export type ColumnRef = number | string;

/** Options of {@link createKeyFileParser} and `parseKeyFile`. */
export type KeyFileParserOptions = {
  /** Name used in messages (default "keys"). */
  file?: string;
  /** "auto" (default): BOM, else UTF-8 if valid, else GB18030. "gbk" is read as GB18030 (a superset). */
  encoding?: "auto" | "utf-8" | "gbk" | "gb18030";
  /** "auto" (default): a first line starting with `{` is JSONL, one with a tab TSV, else CSV. */
  format?: "auto" | "csv" | "tsv" | "jsonl";
  /** "auto" (default): the first line is a header when a cell is a known column name. */
  header?: "auto" | boolean;
  /** Which columns hold the serial (卡号; `null` = none) and the PIN (卡密). Default: inferred. */
  columns?: { serial?: ColumnRef | null; pin: ColumnRef };
  /** Upper-case ASCII letters (the batch's codes ignore case); see `normaliseKey`. */
  caseInsensitive?: boolean;
  /** Declared length of every serial / PIN after normalisation: other lengths are refused (leading zeros stripped…). */
  serialLength?: number;
  pinLength?: number;
  /** Duplicate check (default "pin+serial"; "off" for none, e.g. when the caller checks). */
  duplicates?: DuplicateMode | "off";
  /** Issues kept in the report (default 1,000; all are counted). */
  maxIssues?: number;
};

/** What the parser found and inferred; print it so a person can check the guesses. */
export type KeyFileReport = {
  file: string;
  encoding: "utf-8" | "gb18030" | "ascii";
  bom: boolean;
  encodingReason: string;
  format: "csv" | "tsv" | "jsonl";
  formatReason: string;
  /** Header cells as read, or null when the file has none. */
  header: string[] | null;
  columns: { serial: ColumnRef | null; pin: ColumnRef };
  columnsReason: string;
  lineEndings: { lf: number; crlf: number };
  /** Lines read (including header and blank lines). */
  lines: number;
  blankLines: number;
  /** Keys returned. */
  keys: number;
  /** Problems by line (at most `maxIssues` kept), and how many there were. */
  issues: KeyFileIssue[];
  issueCount: number;
  /** Things worth a look that do not refuse the file (suspected stripped zeros without a declared length…). */
  warnings: string[];
  /** Length histograms of normalised fields. */
  lengths: { serial: Record<number, number>; pin: Record<number, number> };
  /** Entropy of the weakest PIN (set by `end`). */
  entropy: BatchEntropy | undefined;
};

/** A streaming key-file parser (see {@link createKeyFileParser}). */
export type KeyFileParser = {
  /** Feeds the next chunk of bytes; returns the keys completed by it. */
  push(chunk: Uint8Array): KeyRecord[];
  /** Ends the input; returns the last keys. Throws {@link KeyFileError} when any line was refused. */
  end(): KeyRecord[];
  /** The report so far (complete after `end`). */
  report(): KeyFileReport;
};

const SERIAL_NAMES = new Set(["卡号", "序列号", "卡序列号", "卡编号", "编号", "card", "cardno", "cardnumber", "serial", "serialno", "serialnumber", "sn", "number", "no"]);
const PIN_NAMES = new Set(["卡密", "密码", "卡密码", "兑换码", "激活码", "充值码", "pin", "code", "password", "secret", "key", "cardkey", "cdkey", "redeemcode"]);

/** Header cell -> comparable name: NFKC, lower case, no spaces, dashes or underscores. */
function headerName(cell: string): string {
  let s = cell.normalize("NFKC").toLowerCase();
  s = s.replace(/[\s\-_.]/g, "");
  return s;
}

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

/** Trims ASCII white space, U+3000 and a spreadsheet's `="…"` text guard. */
function cleanCell(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) <= 32 || s.charCodeAt(a) === 0x3000)) a++;
  while (b > a && (s.charCodeAt(b - 1) <= 32 || s.charCodeAt(b - 1) === 0x3000)) b--;
  if (b - a >= 3 && s.charCodeAt(a) === 61 && s.charCodeAt(a + 1) === 34 && s.charCodeAt(b - 1) === 34) return s.slice(a + 2, b - 1);
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/**
 * Creates a streaming parser for supplier key files: CSV, TSV or JSONL, in UTF-8 (with or without
 * BOM) or GBK/GB18030, with or without a header (卡号,卡密 / 卡号,密码 / 序列号,密码 / card,pin /
 * serial,code …). Feed it chunks of bytes of any size; keys come out normalised (`normaliseKey`)
 * with their line numbers. Damaged rows (scientific notation, wrong length, undecodable bytes,
 * U+FFFD, empty PIN, duplicates) are refused by line: `end` throws a {@link KeyFileError} listing
 * them, so nothing is sealed from a damaged file. Secrets never appear in messages.
 *
 * @param options Encoding, format, header, column mapping, declared lengths, case rule.
 * @returns The parser (`push`, `end`, `report`).
 *
 * @example
 * const p = createKeyFileParser({ file: "keys.csv" });
 * for await (const chunk of stream) for (const k of p.push(chunk)) seal(k);
 * for (const k of p.end()) seal(k);
 * console.log(p.report().columnsReason);
 */
export function createKeyFileParser(options: KeyFileParserOptions = {}): KeyFileParser {
  const file = options.file ?? "keys";
  const maxIssues = options.maxIssues ?? 1000;
  const caseInsensitive = options.caseInsensitive === true;
  const dup = options.duplicates === "off" ? undefined : createDuplicateTracker(options.duplicates ?? "pin+serial");
  const rep: KeyFileReport = {
    file, encoding: "ascii", bom: false, encodingReason: "", format: "csv", formatReason: "", header: null,
    columns: { serial: null, pin: 0 }, columnsReason: "", lineEndings: { lf: 0, crlf: 0 }, lines: 0, blankLines: 0, keys: 0,
    issues: [], issueCount: 0, warnings: [], lengths: { serial: {}, pin: {} }, entropy: undefined,
  };
  const pins: PinSummary = { count: 0, minLength: Infinity, maxLength: 0, classes: 0, distinct: 0 };
  const seenChars = new Uint8Array(128);
  /** First lines per length, for the stripped-zeros warning. */
  const shortLines = { serial: new Map<number, number[]>(), pin: new Map<number, number[]>() };
  const digitsOnly = { serial: true, pin: true };
  let lastPinClasses = 0;

  let encoding: "undecided" | "utf-8" | "gb18030" = "undecided";
  const requested = options.encoding ?? "auto";
  if (requested === "utf-8") {
    encoding = "utf-8";
    rep.encoding = "utf-8";
    rep.encodingReason = "given (utf-8)";
  } else if (requested === "gbk" || requested === "gb18030") {
    encoding = "gb18030";
    rep.encoding = "gb18030";
    rep.encodingReason = `given (${requested}, read as GB18030)`;
  }
  let decoder: TextDecoder | undefined = encoding === "undecided" ? undefined : new TextDecoder(encoding);
  const asciiDecoder = new TextDecoder("utf-8");
  let firstBytes = true;
  let pendingHead: Uint8Array | undefined;
  let held: Uint8Array | undefined;

  let text = "";
  let line = 0; // lines completed so far
  let started = false; // first non-blank line seen
  let format: "csv" | "tsv" | "jsonl" | undefined = options.format && options.format !== "auto" ? options.format : undefined;
  let delim = ",";
  let serialCol: number | string | null = null;
  let pinCol: number | string = 0;
  let jsonSerialKey: string | null = null;
  let jsonPinKey: string | null = null;
  let fatal: string | undefined;

  const countEnding = (crlf: boolean) => {
    if (crlf) rep.lineEndings.crlf++;
    else rep.lineEndings.lf++;
  };
  const issue = (ln: number, code: string, message: string) => {
    rep.issueCount++;
    if (rep.issues.length < maxIssues) rep.issues.push({ line: ln, code, message });
  };

  const decide = (bytes: Uint8Array) => {
    // Called while undecided with bytes that start a fresh decode; returns when `encoding` is set or all ASCII.
    let firstHigh = -1;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i]! >= 0x80) {
        firstHigh = i;
        break;
      }
    }
    if (firstHigh < 0) return;
    let lineNo = line + 1;
    for (let i = 0; i < firstHigh; i++) if (bytes[i] === 10) lineNo++;
    const tail = bytes.subarray(firstHigh);
    let utf8ok = true;
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(tail, { stream: true });
    } catch {
      utf8ok = false;
    }
    if (utf8ok) {
      encoding = "utf-8";
      rep.encodingReason = `detected: non-ASCII text from line ${formatLine(lineNo)} is valid UTF-8`;
    } else {
      let gbOk = true;
      try {
        new TextDecoder("gb18030", { fatal: true }).decode(tail, { stream: true });
      } catch {
        gbOk = false;
      }
      encoding = gbOk ? "gb18030" : "utf-8";
      rep.encodingReason = gbOk
        ? `detected: bytes from line ${formatLine(lineNo)} are not valid UTF-8 and are valid GBK/GB18030`
        : `detected: bytes from line ${formatLine(lineNo)} are valid neither as UTF-8 nor as GB18030; read as UTF-8, undecodable lines refused`;
    }
    rep.encoding = encoding;
    decoder = new TextDecoder(encoding);
  };

  const decodeChunk = (chunk: Uint8Array, last: boolean): string => {
    let bytes = chunk;
    if (firstBytes) {
      if (pendingHead) {
        const joined = new Uint8Array(pendingHead.length + bytes.length);
        joined.set(pendingHead);
        joined.set(bytes, pendingHead.length);
        bytes = joined;
        pendingHead = undefined;
      }
      if (bytes.length < 3 && !last) {
        pendingHead = bytes.slice();
        return "";
      }
      firstBytes = false;
      if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
        rep.bom = true;
        bytes = bytes.subarray(3);
        if (encoding === "undecided") {
          encoding = "utf-8";
          rep.encoding = "utf-8";
          rep.encodingReason = "detected: UTF-8 byte order mark";
          decoder = new TextDecoder("utf-8");
        }
      } else if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
        fatal = "the file is UTF-16 (byte order mark FF FE / FE FF); save it as UTF-8 or GBK";
        return "";
      }
    }
    if (held) {
      const joined = new Uint8Array(held.length + bytes.length);
      joined.set(held);
      joined.set(bytes, held.length);
      bytes = joined;
      held = undefined;
    }
    if (encoding === "undecided" && !last) {
      // Too few non-ASCII bytes to tell UTF-8 from GBK (a GBK lead byte at the end of a chunk looks
      // like the start of a UTF-8 sequence): decode the ASCII before them and wait for more.
      let firstHigh = -1;
      for (let i = 0; i < bytes.length; i++) {
        if (bytes[i]! >= 0x80) {
          firstHigh = i;
          break;
        }
      }
      if (firstHigh >= 0 && bytes.length - firstHigh < 64) {
        held = bytes.slice(firstHigh);
        return asciiDecoder.decode(bytes.subarray(0, firstHigh));
      }
    }
    if (encoding === "undecided") decide(bytes);
    if (encoding === "undecided") {
      if (rep.encodingReason === "") rep.encodingReason = "all bytes so far are ASCII";
      return asciiDecoder.decode(bytes);
    }
    return decoder!.decode(bytes, { stream: !last });
  };

  const setupColumns = (cells: string[] | null, jsonObj: Record<string, unknown> | null, ln: number): boolean => {
    const given = options.columns;
    if (format === "jsonl") {
      const keys = Object.keys(jsonObj ?? {});
      if (given) {
        jsonPinKey = String(given.pin);
        jsonSerialKey = given.serial === undefined || given.serial === null ? null : String(given.serial);
        rep.columnsReason = "given";
      } else {
        jsonPinKey = keys.find((k) => PIN_NAMES.has(headerName(k))) ?? null;
        jsonSerialKey = keys.find((k) => SERIAL_NAMES.has(headerName(k))) ?? null;
        rep.columnsReason = `inferred from the field names of line ${formatLine(ln)}`;
        if (jsonPinKey === null) {
          fatal = `line ${formatLine(ln)}: no PIN field among ${JSON.stringify(keys)} (expected one of 卡密, 密码, pin, code, …); pass a column mapping`;
          return false;
        }
      }
      rep.columns = { serial: jsonSerialKey, pin: jsonPinKey };
      return true;
    }
    const c = cells!;
    const names = c.map(headerName);
    const looksHeader = names.some((n) => SERIAL_NAMES.has(n) || PIN_NAMES.has(n));
    const isHeader = options.header === "auto" || options.header === undefined ? looksHeader : options.header;
    const resolve = (ref: ColumnRef, what: string): number | undefined => {
      if (typeof ref === "number") return ref;
      if (/^\d+$/.test(ref)) return Number(ref);
      const i = isHeader ? names.indexOf(headerName(ref)) : -1;
      if (i < 0) fatal = `the ${what} column ${JSON.stringify(ref)} is not in the header ${isHeader ? JSON.stringify(c) : "(the file has none)"}`;
      return i < 0 ? undefined : i;
    };
    const header = isHeader ? c.map((x) => cleanCell(x)) : [];
    if (isHeader) rep.header = header;
    if (given) {
      const p = resolve(given.pin, "PIN");
      const s = given.serial === undefined || given.serial === null ? null : resolve(given.serial, "serial");
      if (p === undefined || s === undefined) return false;
      pinCol = p;
      serialCol = s;
      rep.columnsReason = "given";
    } else if (isHeader) {
      const p = names.findIndex((n) => PIN_NAMES.has(n));
      const s = names.findIndex((n) => SERIAL_NAMES.has(n));
      if (p < 0) {
        fatal = `line ${formatLine(ln)}: the header ${JSON.stringify(rep.header)} has no PIN column (卡密, 密码, pin, code, …); pass a column mapping`;
        return false;
      }
      pinCol = p;
      serialCol = s < 0 ? null : s;
      rep.columnsReason = `inferred from the header on line ${formatLine(ln)}: ${s < 0 ? "no serial column" : `serial = column ${s + 1} ${JSON.stringify(header[s])}`}, PIN = column ${p + 1} ${JSON.stringify(header[p])}`;
    } else if (c.length === 1) {
      pinCol = 0;
      serialCol = null;
      rep.columnsReason = "inferred: no header, one column = PIN";
    } else if (c.length === 2) {
      serialCol = 0;
      pinCol = 1;
      rep.columnsReason = "inferred: no header, two columns = serial, PIN";
    } else {
      fatal = `line ${formatLine(ln)}: no header and ${c.length} columns; pass a column mapping (which column is the PIN, which the serial)`;
      return false;
    }
    rep.columns = { serial: serialCol, pin: pinCol };
    return !isHeader; // true: this line is data
  };

  const track = (field: "serial" | "pin", value: string, ln: number) => {
    const len = value.length;
    const h = rep.lengths[field];
    const seen = (h[len] ?? 0) + 1;
    h[len] = seen;
    if (digitsOnly[field] && (field === "pin" ? lastPinClasses !== 1 : !isAllDigits(value))) digitsOnly[field] = false;
    if (seen <= 5) {
      let lines = shortLines[field].get(len);
      if (!lines) shortLines[field].set(len, (lines = []));
      lines.push(ln);
    }
  };

  const takeKey = (ln: number, rawSerial: string | undefined, rawPin: string | undefined, out: KeyRecord[]) => {
    const serialIn = rawSerial === undefined ? undefined : cleanCell(rawSerial);
    const pinIn = rawPin === undefined ? "" : cleanCell(rawPin);
    if (pinIn.indexOf("\uFFFD") >= 0 || (serialIn !== undefined && serialIn.indexOf("\uFFFD") >= 0)) {
      issue(ln, "ENCODING", `undecodable bytes (U+FFFD) in ${rep.encoding === "gb18030" ? "GB18030" : "UTF-8"} text${rep.encoding === "gb18030" ? "" : "; if the file is GBK pass encoding gbk"}.`);
      return;
    }
    if (serialIn !== undefined && isSciNotation(serialIn)) {
      issue(ln, "SCI_NOTATION", `serial ${JSON.stringify(serialIn)} is in scientific notation: a spreadsheet rounded the number and the digits are lost. Export the column as text.`);
      return;
    }
    if (isSciNotation(pinIn)) {
      issue(ln, "SCI_NOTATION", "the PIN is in scientific notation: a spreadsheet rounded the number and the digits are lost. Export the column as text.");
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
      issue(ln, short ? "LEADING_ZEROS" : "LENGTH", `serial ${JSON.stringify(key.serial)} has ${key.serial.length} characters, ${options.serialLength} declared${short ? ": leading zeros were probably stripped by a spreadsheet" : ""}.`);
      return;
    }
    if (options.pinLength !== undefined && key.pin.length !== options.pinLength) {
      const short = key.pin.length < options.pinLength && isAllDigits(key.pin);
      issue(ln, short ? "LEADING_ZEROS" : "LENGTH", `the PIN has ${key.pin.length} characters, ${options.pinLength} declared${short ? ": leading zeros were probably stripped by a spreadsheet" : ""}.`);
      return;
    }
    if (dup) {
      const d = dup.add(key, ln);
      if (d.length > 0) {
        for (const x of d) issue(ln, "DUPLICATE", `duplicate ${x.field === "pin" ? "PIN" : `serial ${JSON.stringify(key.serial)}`} (first seen on line ${formatLine(x.firstLine)}).`);
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
    const rec: KeyRecord = key.serial === undefined ? { line: ln, pin: key.pin } : { line: ln, serial: key.serial, pin: key.pin };
    rep.keys++;
    out.push(rec);
  };

  /** Splits a CSV/TSV record starting at `text[pos]`; returns cells and the index after the record's newline, or -1 if incomplete. */
  const splitQuoted = (pos: number, last: boolean, ln: number): { cells: string[]; next: number; newlines: number } | -1 => {
    const cells: string[] = [];
    let i = pos;
    const n = text.length;
    let newlines = 0;
    const d = delim.charCodeAt(0);
    for (;;) {
      // one cell
      while (i < n && (text.charCodeAt(i) === 32 || (text.charCodeAt(i) === 9 && d !== 9))) i++;
      if (i < n && text.charCodeAt(i) === 34) {
        let v = "";
        let j = i + 1;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) {
            if (!last) return -1;
            issue(ln, "QUOTE", "a quoted field is never closed.");
            return { cells: [], next: n, newlines: newlines + countNl(j, n) + 1 };
          }
          if (q + 1 < n && text.charCodeAt(q + 1) === 34) {
            v += text.slice(j, q + 1);
            j = q + 2;
            continue;
          }
          if (q + 1 >= n && !last) return -1;
          v += text.slice(j, q);
          newlines += countNl(j, q);
          i = q + 1;
          break;
        }
        while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) !== 10 || (text.charCodeAt(i) === 9 && d !== 9))) i++;
        cells.push(v);
        if (i >= n) {
          if (!last) return -1;
          return { cells, next: n, newlines: newlines + 1 };
        }
        const c = text.charCodeAt(i);
        if (c === d) {
          i++;
          continue;
        }
        if (c === 10 || (c === 13 && text.charCodeAt(i + 1) === 10)) {
          const next = c === 10 ? i + 1 : i + 2;
          return { cells, next, newlines: newlines + 1 };
        }
        issue(ln, "QUOTE", `unexpected ${JSON.stringify(text[i])} after a closing quote.`);
        const nl = text.indexOf("\n", i);
        if (nl < 0 && !last) return -1;
        return { cells: [], next: nl < 0 ? n : nl + 1, newlines: newlines + 1 };
      }
      // unquoted cell
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === d || c === 10) break;
        j++;
      }
      if (j >= n && !last) return -1;
      let end = j;
      if (end > i && text.charCodeAt(end - 1) === 13 && (j >= n || text.charCodeAt(j) === 10)) end--;
      cells.push(text.slice(i, end));
      if (j >= n) return { cells, next: n, newlines: newlines + 1 };
      if (text.charCodeAt(j) === 10) return { cells, next: j + 1, newlines: newlines + 1 };
      i = j + 1;
    }
  };
  const countNl = (a: number, b: number) => {
    let k = 0;
    for (let i = text.indexOf("\n", a); i >= 0 && i < b; i = text.indexOf("\n", i + 1)) k++;
    return k;
  };

  const process = (last: boolean): KeyRecord[] => {
    const out: KeyRecord[] = [];
    let pos = 0;
    const n = text.length;
    let nextQuote = -2; // position of the next '"' at or after pos; -1 = none left
    const quoteFrom = (p: number): number => {
      if (nextQuote === -1) return -1;
      if (nextQuote < p) nextQuote = text.indexOf('"', p);
      return nextQuote;
    };
    while (pos < n && fatal === undefined) {
      let nl = text.indexOf("\n", pos);
      if (nl < 0 && !last) break;
      const lineEnd = nl < 0 ? n : nl;
      const ln = line + 1;
      let contentEnd = lineEnd;
      if (contentEnd > pos && text.charCodeAt(contentEnd - 1) === 13) contentEnd--;
      // blank line?
      let blank = true;
      for (let i = pos; i < contentEnd; i++) {
        const c = text.charCodeAt(i);
        if (c !== 32 && c !== 9 && c !== 0x3000 && c !== 0xfeff) {
          blank = false;
          break;
        }
      }
      if (blank) {
        if (nl >= 0) {
          if (contentEnd < lineEnd) rep.lineEndings.crlf++;
          else rep.lineEndings.lf++;
        }
        if (nl >= 0 || contentEnd > pos) {
          rep.blankLines++;
          line++;
        }
        pos = nl < 0 ? n : nl + 1;
        continue;
      }
      if (!started) {
        started = true;
        if (format === undefined) {
          const first = text.slice(pos, contentEnd).trimStart();
          format = first.startsWith("{") ? "jsonl" : first.includes("\t") ? "tsv" : "csv";
          rep.formatReason =
            format === "jsonl" ? `detected: line ${formatLine(ln)} starts with "{"` : format === "tsv" ? `detected: line ${formatLine(ln)} contains a tab` : `detected: line ${formatLine(ln)} has no tab`;
        } else rep.formatReason = "given";
        rep.format = format;
        delim = format === "tsv" ? "\t" : ",";
        if (format === "jsonl") {
          let obj: unknown;
          try {
            obj = JSON.parse(text.slice(pos, contentEnd));
          } catch {
            obj = undefined;
          }
          if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
            fatal = `line ${formatLine(ln)}: not a JSON object`;
            break;
          }
          if (!setupColumns(null, obj as Record<string, unknown>, ln)) break;
          // fall through: the first JSON line is data
        } else {
          const quoted = quoteFrom(pos);
          let cells: string[];
          let next: number;
          let newlines = 1;
          if (quoted >= 0 && quoted < contentEnd) {
            const r = splitQuoted(pos, last, ln);
            if (r === -1) {
              started = false;
              break;
            }
            cells = r.cells;
            next = r.next;
            newlines = r.newlines;
          } else {
            cells = text.slice(pos, contentEnd).split(delim);
            next = nl < 0 ? n : nl + 1;
          }
          const isData = setupColumns(cells, null, ln);
          if (fatal !== undefined) break;
          if (!isData) {
            if (nl >= 0) countEnding(contentEnd < lineEnd);
            line += newlines;
            pos = next;
            continue;
          }
        }
      }
      if (format === "jsonl") {
        let obj: unknown;
        try {
          obj = JSON.parse(text.slice(pos, contentEnd));
        } catch {
          obj = undefined;
        }
        if (obj === null || typeof obj !== "object" || Array.isArray(obj)) issue(ln, "JSON", "not a JSON object.");
        else {
          const o = obj as Record<string, unknown>;
          const p = o[jsonPinKey!];
          const s = jsonSerialKey === null ? undefined : o[jsonSerialKey];
          if (typeof p !== "string" || (s !== undefined && s !== null && typeof s !== "string"))
            issue(ln, "JSON", `${typeof p !== "string" ? `the PIN field ${JSON.stringify(jsonPinKey)}` : `the serial field ${JSON.stringify(jsonSerialKey)}`} must be a string (a JSON number loses leading zeros and digits).`);
          else takeKey(ln, s === null ? undefined : (s as string | undefined), p, out);
        }
        if (nl >= 0) countEnding(contentEnd < lineEnd);
        line++;
        pos = nl < 0 ? n : nl + 1;
        continue;
      }
      // CSV / TSV data line
      const quoted = quoteFrom(pos);
      let cells: string[];
      let next: number;
      let newlines = 1;
      if (quoted >= 0 && quoted < contentEnd) {
        const r = splitQuoted(pos, last, ln);
        if (r === -1) break;
        cells = r.cells;
        next = r.next;
        newlines = r.newlines;
        nl = next - 1;
      } else {
        cells = text.slice(pos, contentEnd).split(delim);
        next = nl < 0 ? n : nl + 1;
      }
      if (nl >= 0) countEnding(contentEnd < lineEnd);
      if (cells.length > 0) {
        const pi = pinCol as number;
        const si = serialCol as number | null;
        if (cells.length <= pi || (si !== null && cells.length <= si)) issue(ln, "COLUMNS", `${cells.length} column${cells.length === 1 ? "" : "s"}, at least ${Math.max(pi, si ?? 0) + 1} expected.`);
        else {
          const s = si === null ? undefined : cells[si];
          takeKey(ln, s, cells[pi], out);
        }
      }
      line += newlines;
      pos = next;
    }
    text = pos >= n ? "" : text.slice(pos);
    if (fatal !== undefined) text = "";
    return out;
  };

  const checkFatal = () => {
    if (fatal !== undefined) throw new KeyFileError(file, [{ line: Math.max(line, 1), code: "FORMAT", message: fatal }]);
  };

  return {
    push(chunk) {
      checkFatal();
      text += decodeChunk(chunk, false);
      checkFatal();
      const out = process(false);
      checkFatal();
      return out;
    },
    end() {
      checkFatal();
      text += decodeChunk(new Uint8Array(0), true);
      checkFatal();
      const out = process(true);
      checkFatal();
      rep.lines = line;
      rep.entropy = assessBatchEntropy(pins, { caseInsensitive });
      for (const field of ["serial", "pin"] as const) {
        const declared = field === "serial" ? options.serialLength : options.pinLength;
        const h = rep.lengths[field];
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
        const shorter = Object.keys(h).map(Number).filter((l) => l < mode);
        if (shorter.length === 0) continue;
        const count = shorter.reduce((a, l) => a + (h[l] ?? 0), 0);
        const lines = shorter.flatMap((l) => shortLines[field].get(l) ?? []).sort((a, b) => a - b).slice(0, 5);
        rep.warnings.push(
          `${count} ${field === "pin" ? "PIN" : "serial"}${count === 1 ? "" : "s"} shorter than the usual ${mode} digits (line${lines.length === 1 ? "" : "s"} ${lines.map(formatLine).join(", ")}${count > lines.length ? ", …" : ""}): leading zeros stripped by a spreadsheet? Declare ${field === "pin" ? "pinLength" : "serialLength"} ${mode} to refuse them.`,
        );
      }
      if (rep.issueCount > 0) throw new KeyFileError(file, rep.issues, rep.issueCount);
      return out;
    },
    report() {
      return rep;
    },
  };
}
