import { KeyFileError, formatLine } from "./errors.js";
import type { KeyRecord } from "../schemas/keyRecord.js";
import { createKeyFileDecoder } from "./parse/createKeyFileDecoder.js";
import { createRowChecker } from "./parse/createRowChecker.js";
import { inferColumns } from "./parse/inferColumns.js";
import type { FirstLine } from "./parse/inferColumns.js";
import { createCsvRecordCursor, splitCsvRecord } from "./parse/splitCsvRecord.js";
import type { KeyFileParser, KeyFileParserOptions, KeyFileReport } from "./parse/types.js";

export type { ColumnRef, KeyFileParser, KeyFileParserOptions, KeyFileReport } from "./parse/types.js";

/** A JSONL line's object, or undefined when the line is not a JSON object. */
function parseObject(line: string): Record<string, unknown> | undefined {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    return undefined;
  }
  return obj === null || typeof obj !== "object" || Array.isArray(obj) ? undefined : (obj as Record<string, unknown>);
}

/**
 * Creates a streaming parser for supplier key files: CSV, TSV or JSONL, in UTF-8 (with or without
 * BOM) or GBK/GB18030, with or without a header (卡号,卡密 / 卡号,密码 / 序列号,密码 / card,pin /
 * serial,code …). Feed it chunks of bytes of any size; keys come out normalised (`normaliseKey`)
 * with their line numbers. Damaged rows (scientific notation, wrong length, undecodable bytes,
 * U+FFFD, empty PIN, duplicates) are refused by line: `end` throws a {@link KeyFileError} listing
 * them, so nothing is sealed from a damaged file. Secrets never appear in messages.
 *
 * The parts live in lib/keys/parse: `createKeyFileDecoder` (encoding), `inferColumns` (header and
 * columns), `splitCsvRecord` (RFC 4180 records; `createCsvRecordSplitter` is the same splitter on its
 * own) and `createRowChecker` (row checks, lengths, duplicates, entropy); this loop composes them.
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
  const rep: KeyFileReport = {
    file,
    encoding: "ascii",
    bom: false,
    encodingReason: "",
    format: "csv",
    formatReason: "",
    header: null,
    columns: { serial: null, pin: 0 },
    columnsReason: "",
    lineEndings: { lf: 0, crlf: 0 },
    lines: 0,
    blankLines: 0,
    keys: 0,
    issues: [],
    issueCount: 0,
    warnings: [],
    lengths: { serial: {}, pin: {} },
    entropy: undefined,
  };
  const issue = (ln: number, code: string, message: string) => {
    rep.issueCount++;
    if (rep.issues.length < maxIssues) rep.issues.push({ line: ln, code, message });
  };
  const decoder = createKeyFileDecoder(options.encoding ?? "auto", rep);
  const rows = createRowChecker(options, rep, issue);
  const cur = createCsvRecordCursor();

  let text = "";
  let line = 0; // lines completed so far
  let started = false; // first non-blank line seen
  let format = options.format === "auto" ? undefined : options.format;
  let delim = 44;
  let serialCol: number | null = null;
  let pinCol = 0;
  let jsonSerialKey: string | null = null;
  let jsonPinKey = "";
  let fatal: string | undefined;

  const countEnding = (crlf: boolean) => {
    if (crlf) rep.lineEndings.crlf++;
    else rep.lineEndings.lf++;
  };

  /** Learns the columns from the first non-blank line; false when the file is refused (`fatal`). */
  const setupColumns = (first: FirstLine, ln: number): boolean => {
    const r = inferColumns(first, ln, options);
    if (r.header) rep.header = r.header;
    if (r.reason) rep.columnsReason = r.reason;
    if ("fatal" in r) {
      fatal = r.fatal;
      return false;
    }
    rep.columns = r.columns;
    if (format === "jsonl") {
      jsonPinKey = r.columns.pin as string;
      jsonSerialKey = r.columns.serial as string | null;
    } else {
      pinCol = r.columns.pin as number;
      serialCol = r.columns.serial as number | null;
    }
    return true;
  };

  const process = (last: boolean): KeyRecord[] => {
    const out: KeyRecord[] = [];
    let pos = 0;
    const n = text.length;
    cur.quoteAt = -2;
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
          const why = format === "jsonl" ? 'starts with "{"' : format === "tsv" ? "contains a tab" : "has no tab";
          rep.formatReason = `detected: line ${formatLine(ln)} ${why}`;
        } else rep.formatReason = "given";
        rep.format = format;
        delim = format === "tsv" ? 9 : 44;
        if (format === "jsonl") {
          const obj = parseObject(text.slice(pos, contentEnd));
          if (obj === undefined) {
            fatal = `line ${formatLine(ln)}: not a JSON object`;
            break;
          }
          if (!setupColumns({ object: obj }, ln)) break;
          // fall through: the first JSON line is data
        } else {
          if (!splitCsvRecord(text, pos, contentEnd, nl, delim, last, cur)) {
            started = false;
            break;
          }
          if (cur.error !== undefined) issue(ln, "QUOTE", cur.error);
          const isData = setupColumns({ cells: cur.cells }, ln) && rep.header === null;
          if (fatal !== undefined) break;
          if (!isData) {
            if (nl >= 0) countEnding(contentEnd < lineEnd);
            line += cur.lines;
            pos = cur.next;
            continue;
          }
        }
      }
      if (format === "jsonl") {
        const o = parseObject(text.slice(pos, contentEnd));
        if (o === undefined) issue(ln, "JSON", "not a JSON object.");
        else {
          const p = o[jsonPinKey];
          const s = jsonSerialKey === null ? undefined : o[jsonSerialKey];
          if (typeof p !== "string" || (s !== undefined && s !== null && typeof s !== "string")) {
            const field =
              typeof p !== "string"
                ? `the PIN field ${JSON.stringify(jsonPinKey)}`
                : `the serial field ${JSON.stringify(jsonSerialKey)}`;
            issue(ln, "JSON", `${field} must be a string (a JSON number loses leading zeros and digits).`);
          } else rows.take(ln, s === null ? undefined : (s as string | undefined), p, out);
        }
        if (nl >= 0) countEnding(contentEnd < lineEnd);
        line++;
        pos = nl < 0 ? n : nl + 1;
        continue;
      }
      // CSV / TSV data line
      if (!splitCsvRecord(text, pos, contentEnd, nl, delim, last, cur)) break;
      if (cur.error !== undefined) issue(ln, "QUOTE", cur.error);
      if (cur.quoted) nl = cur.next - 1;
      if (nl >= 0) countEnding(contentEnd < lineEnd);
      const cells = cur.cells;
      if (cells.length > 0) {
        if (cells.length <= pinCol || (serialCol !== null && cells.length <= serialCol)) {
          const need = Math.max(pinCol, serialCol ?? 0) + 1;
          issue(ln, "COLUMNS", `${cells.length} column${cells.length === 1 ? "" : "s"}, at least ${need} expected.`);
        } else rows.take(ln, serialCol === null ? undefined : cells[serialCol], cells[pinCol], out);
      }
      line += cur.lines;
      pos = cur.next;
    }
    text = pos >= n ? "" : text.slice(pos);
    if (fatal !== undefined) text = "";
    return out;
  };

  const checkFatal = () => {
    fatal ??= decoder.fatal;
    if (fatal !== undefined) {
      throw new KeyFileError(file, [{ line: Math.max(line, 1), code: "FORMAT", message: fatal }]);
    }
  };

  return {
    push(chunk) {
      checkFatal();
      text += decoder.decode(chunk, false, line);
      checkFatal();
      const out = process(false);
      checkFatal();
      return out;
    },
    end() {
      checkFatal();
      text += decoder.decode(new Uint8Array(0), true, line);
      checkFatal();
      const out = process(true);
      checkFatal();
      rep.lines = line;
      rows.finish();
      if (rep.issueCount > 0) throw new KeyFileError(file, rep.issues, rep.issueCount);
      return out;
    },
    report() {
      return rep;
    },
  };
}
