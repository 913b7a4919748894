import { describe, expect, it } from "vitest";
import { createCsvRecordSplitter } from "../../lib/keys/parse/createCsvRecordSplitter.js";
import type { CsvRecord, CsvRecordSplitterOptions } from "../../lib/keys/parse/createCsvRecordSplitter.js";
import { createCsvRecordCursor, splitCsvRecord } from "../../lib/keys/parse/splitCsvRecord.js";

function split(text: string, options: CsvRecordSplitterOptions = {}, piece = Infinity): CsvRecord[] {
  const s = createCsvRecordSplitter(options);
  const out: CsvRecord[] = [];
  for (let i = 0; i < text.length; i += Math.min(piece, text.length)) out.push(...s.push(text.slice(i, i + piece)));
  out.push(...s.end());
  return out;
}

describe("CSV record splitter (lib/keys/parse)", () => {
  it("RFC 4180 quoting: delimiters, doubled quotes and line breaks inside quotes; CRLF; BOM; blank lines", () => {
    const text = '\uFEFFa,"b, c",d\r\n\r\n"x ""y""",   "multi\r\nline"  ,z\r\n  \r\nlast,row';
    const expected: CsvRecord[] = [
      { line: 1, cells: ["a", "b, c", "d"] },
      { line: 3, cells: ['x "y"', "multi\r\nline", "z"] },
      { line: 6, cells: ["last", "row"] },
    ];
    expect(split(text)).toEqual(expected);
    // pushed in pieces split anywhere (inside quotes, between CR and LF): the same records
    for (const piece of [1, 2, 3, 5, 7]) expect(split(text, {}, piece)).toEqual(expected);
  });

  it("tabs: chosen when the first line has a tab and no comma outside quotes; given explicitly", () => {
    expect(split('a\t"b, c"\n1\t2\n')).toEqual([
      { line: 1, cells: ["a", "b, c"] },
      { line: 2, cells: ["1", "2"] },
    ]);
    expect(split("a\tb,c\n")).toEqual([{ line: 1, cells: ["a\tb", "c"] }]);
    expect(split("a\tb,c\n", { delimiter: "\t" })).toEqual([{ line: 1, cells: ["a", "b,c"] }]);
  });

  it("comment lines are skipped when asked; refused records name their line and the split goes on", () => {
    expect(split("# note, with a comma\n1,2\n", { comment: "#" })).toEqual([{ line: 2, cells: ["1", "2"] }]);
    expect(split("# note\n", {})).toEqual([{ line: 1, cells: ["# note"] }]);
    expect(split('1,"a"b,c\n2,d\n"open,\n3\n')).toEqual([
      { line: 1, cells: [], error: 'unexpected "b" after a closing quote.' },
      { line: 2, cells: ["2", "d"] },
      { line: 3, cells: [], error: "a quoted field is never closed." },
    ]);
  });

  it("splitCsvRecord: a record that may continue waits for more text unless it is the last", () => {
    const cur = createCsvRecordCursor();
    expect(splitCsvRecord('a,"b', 0, 4, -1, 44, false, cur)).toBe(false);
    expect(splitCsvRecord('a,"b\nc",d\n', 0, 4, 4, 44, false, cur)).toBe(true);
    expect({ cells: cur.cells, next: cur.next, lines: cur.lines, quoted: cur.quoted }).toEqual({
      cells: ["a", "b\nc", "d"],
      next: 10,
      lines: 2,
      quoted: true,
    });
    cur.quoteAt = -2;
    expect(splitCsvRecord("x,y\r\n", 0, 3, 4, 44, false, cur)).toBe(true);
    expect({ cells: cur.cells, next: cur.next, quoted: cur.quoted }).toEqual({
      cells: ["x", "y"],
      next: 5,
      quoted: false,
    });
  });
});
