/**
 * What {@link splitCsvRecord} found; one object is reused for every record of a text (no allocation per row
 * besides the cells themselves).
 */
export type CsvRecordCursor = {
  /** The record's cells, unquoted (`""` inside quotes is one `"`); empty when `error` is set. */
  cells: string[];
  /** Index in the text just after the record's line ending (or the text's length). */
  next: number;
  /** Physical lines the record spans (a quoted field may hold line breaks). */
  lines: number;
  /** Why the record is refused (a quote never closed, text after a closing quote), else undefined. */
  error: string | undefined;
  /** The record was split by the quote-aware path (its first line holds a `"`). */
  quoted: boolean;
  /**
   * Where the next `"` of the text is, at or after the last record (-1: none left). Set it to -2 whenever the
   * text changes; lines without a quote are then split with one `String.split`.
   */
  quoteAt: number;
};

/**
 * Creates the reusable cursor of {@link splitCsvRecord}.
 *
 * @returns a cursor with no record yet.
 * @example
 * const cur = createCsvRecordCursor();
 */
export function createCsvRecordCursor(): CsvRecordCursor {
  return { cells: [], next: 0, lines: 0, error: undefined, quoted: false, quoteAt: -2 };
}

function countNewlines(text: string, a: number, b: number): number {
  let k = 0;
  for (let i = text.indexOf("\n", a); i >= 0 && i < b; i = text.indexOf("\n", i + 1)) k++;
  return k;
}

/** RFC 4180 split of the record at `pos`; false when it needs more text. */
function splitQuoted(text: string, pos: number, d: number, last: boolean, cur: CsvRecordCursor): boolean {
  const cells: string[] = [];
  let i = pos;
  const n = text.length;
  let newlines = 0;
  for (;;) {
    // one cell: spaces (and tabs, unless they separate cells) before an opening quote are ignored
    while (i < n && (text.charCodeAt(i) === 32 || (text.charCodeAt(i) === 9 && d !== 9))) i++;
    if (i < n && text.charCodeAt(i) === 34) {
      let v = "";
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) {
          if (!last) return false;
          cur.cells = [];
          cur.next = n;
          cur.lines = newlines + countNewlines(text, j, n) + 1;
          cur.error = "a quoted field is never closed.";
          return true;
        }
        if (q + 1 < n && text.charCodeAt(q + 1) === 34) {
          v += text.slice(j, q + 1);
          j = q + 2;
          continue;
        }
        if (q + 1 >= n && !last) return false;
        v += text.slice(j, q);
        newlines += countNewlines(text, j, q);
        i = q + 1;
        break;
      }
      // spaces (and a lone CR, and tabs unless they separate cells) after the closing quote are ignored
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c !== 32 && !(c === 13 && text.charCodeAt(i + 1) !== 10) && !(c === 9 && d !== 9)) break;
      }
      cells.push(v);
      if (i >= n) {
        if (!last) return false;
        cur.cells = cells;
        cur.next = n;
        cur.lines = newlines + 1;
        cur.error = undefined;
        return true;
      }
      const c = text.charCodeAt(i);
      if (c === d) {
        i++;
        continue;
      }
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) === 10)) {
        cur.cells = cells;
        cur.next = c === 10 ? i + 1 : i + 2;
        cur.lines = newlines + 1;
        cur.error = undefined;
        return true;
      }
      const nl = text.indexOf("\n", i);
      if (nl < 0 && !last) return false;
      cur.cells = [];
      cur.next = nl < 0 ? n : nl + 1;
      cur.lines = newlines + 1;
      cur.error = `unexpected ${JSON.stringify(text[i])} after a closing quote.`;
      return true;
    }
    // unquoted cell: up to the delimiter or the line's end; quotes inside it are kept as they are
    let j = i;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === d || c === 10) break;
      j++;
    }
    if (j >= n && !last) return false;
    let end = j;
    if (end > i && text.charCodeAt(end - 1) === 13 && (j >= n || text.charCodeAt(j) === 10)) end--;
    cells.push(text.slice(i, end));
    if (j >= n || text.charCodeAt(j) === 10) {
      cur.cells = cells;
      cur.next = j >= n ? n : j + 1;
      cur.lines = newlines + 1;
      cur.error = undefined;
      return true;
    }
    i = j + 1;
  }
}

/**
 * Splits the CSV/TSV record that starts at `text[pos]` (RFC 4180: a field in double quotes may hold the
 * delimiter, line breaks and `""` for a quote; CRLF or LF ends a record; spaces around a quoted field are
 * ignored; a CR before LF is not part of the last cell). A line without any `"` is split with one
 * `String.split`; the caller has already found its end. Cells are not trimmed otherwise.
 *
 * @param text - the text (decoded, without BOM).
 * @param pos - where the record starts.
 * @param contentEnd - the end of the record's first line without its CR/LF.
 * @param nl - the index of that line's `\n`, or -1 when the text ends first.
 * @param delimiter - the cell delimiter's char code (44 `,` or 9 tab).
 * @param last - no more text follows (otherwise a record that may continue returns false).
 * @param cur - the cursor: receives cells, next, lines and error.
 * @returns false when the record may continue in text not read yet (call again with more text), else true.
 * @example
 * const cur = createCsvRecordCursor();
 * const t = 'a,"b, c"\n';
 * splitCsvRecord(t, 0, 8, 8, 44, true, cur); // cur.cells: ["a", "b, c"], cur.next: 9
 */
export function splitCsvRecord(
  text: string,
  pos: number,
  contentEnd: number,
  nl: number,
  delimiter: number,
  last: boolean,
  cur: CsvRecordCursor,
): boolean {
  let q = cur.quoteAt;
  if (q !== -1 && q < pos) q = cur.quoteAt = text.indexOf('"', pos);
  if (q >= 0 && q < contentEnd) {
    cur.quoted = true;
    return splitQuoted(text, pos, delimiter, last, cur);
  }
  cur.quoted = false;
  cur.cells = text.slice(pos, contentEnd).split(delimiter === 9 ? "\t" : ",");
  cur.next = nl < 0 ? text.length : nl + 1;
  cur.lines = 1;
  cur.error = undefined;
  return true;
}
