import { createCsvRecordCursor, splitCsvRecord } from "./splitCsvRecord.js";

/** One record of a CSV/TSV text. */
export type CsvRecord = {
  /** 1-based line number where the record starts. */
  line: number;
  /** The cells, unquoted, not trimmed; empty when `error` is set. */
  cells: string[];
  /** Why the record could not be split (a quote never closed, text after a closing quote). */
  error?: string;
};

/** Options of {@link createCsvRecordSplitter}. */
export type CsvRecordSplitterOptions = {
  /** "," or a tab; "auto" (default): a tab when the first record's line holds a tab and no comma outside quotes. */
  delimiter?: "," | "\t" | "auto";
  /** Lines whose first non-blank character is this one are skipped (e.g. "#"); default: none. */
  comment?: string;
};

/** A streaming CSV/TSV record splitter (see {@link createCsvRecordSplitter}). */
export type CsvRecordSplitter = {
  /** Feeds the next piece of text; returns the records it completes. */
  push(text: string): CsvRecord[];
  /** Ends the text; returns the last records. */
  end(): CsvRecord[];
  /** The delimiter in use (decided by the first record when "auto"). */
  readonly delimiter: "," | "\t" | undefined;
};

/**
 * Creates a streaming CSV/TSV record splitter: RFC 4180 quoting (a quoted field may hold the delimiter, line
 * breaks and `""`), LF or CRLF line endings, a leading byte order mark (U+FEFF) dropped, blank lines (spaces,
 * tabs, U+3000) and optional comment lines skipped. Text may be pushed in pieces split anywhere. This is the
 * splitter the key-file parser uses (`splitCsvRecord`), with the same rules.
 *
 * @param options - delimiter ("auto" by default) and comment character.
 * @returns the splitter (`push`, `end`).
 * @example
 * const s = createCsvRecordSplitter({ comment: "#" });
 * const records = [...s.push('batch,start\r\nout/A,"1,000"\r\n'), ...s.end()];
 * // [{ line: 1, cells: ["batch", "start"] }, { line: 2, cells: ["out/A", "1,000"] }]
 */
export function createCsvRecordSplitter(options: CsvRecordSplitterOptions = {}): CsvRecordSplitter {
  const comment = options.comment === undefined || options.comment === "" ? -1 : options.comment.charCodeAt(0);
  let delimiter = options.delimiter === "auto" ? undefined : options.delimiter;
  const cur = createCsvRecordCursor();
  let text = "";
  let line = 0;
  let first = true;

  const run = (last: boolean): CsvRecord[] => {
    const out: CsvRecord[] = [];
    let pos = 0;
    const n = text.length;
    cur.quoteAt = -2;
    while (pos < n) {
      const nl = text.indexOf("\n", pos);
      if (nl < 0 && !last) break;
      const lineEnd = nl < 0 ? n : nl;
      let contentEnd = lineEnd;
      if (contentEnd > pos && text.charCodeAt(contentEnd - 1) === 13) contentEnd--;
      let start = pos;
      while (start < contentEnd) {
        const c = text.charCodeAt(start);
        if (c !== 32 && c !== 9 && c !== 0x3000 && c !== 0xfeff) break;
        start++;
      }
      if (start === contentEnd || text.charCodeAt(start) === comment) {
        line++;
        pos = nl < 0 ? n : nl + 1;
        continue;
      }
      if (delimiter === undefined) {
        const l = text.slice(pos, contentEnd).replace(/"[^"]*"/g, "");
        delimiter = l.includes("\t") && !l.includes(",") ? "\t" : ",";
      }
      if (!splitCsvRecord(text, pos, contentEnd, nl, delimiter === "\t" ? 9 : 44, last, cur)) break;
      if (cur.error === undefined) out.push({ line: line + 1, cells: cur.cells });
      else out.push({ line: line + 1, cells: [], error: cur.error });
      line += cur.lines;
      pos = cur.next;
    }
    text = pos >= n ? "" : text.slice(pos);
    return out;
  };

  return {
    push(piece) {
      if (first && piece.length > 0) {
        first = false;
        if (piece.charCodeAt(0) === 0xfeff) piece = piece.slice(1);
      }
      text += piece;
      return run(false);
    },
    end() {
      return run(true);
    },
    get delimiter() {
      return delimiter;
    },
  };
}
