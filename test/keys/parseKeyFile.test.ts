import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseKeyFile } from "../../lib/keys/parseKeyFile.js";
import { createKeyFileParser } from "../../lib/keys/createKeyFileParser.js";
import type { KeyFileParserOptions } from "../../lib/keys/createKeyFileParser.js";
import { findDuplicateKeys } from "../../lib/keys/findDuplicateKeys.js";
import { KeyFileError } from "../../lib/keys/errors.js";
import type { KeyRecord } from "../../lib/schemas/keyRecord.js";
import { keyRecordSchema } from "../../lib/schemas/keyRecord.js";
import { GBK_HEADER_BYTES, gbkEncode } from "../fixtures/keys/gbk.js";

const SAMPLE = new URL("../fixtures/seal/sample-keys.csv", import.meta.url);
const utf8 = (s: string) => new TextEncoder().encode(s);

function refused(input: Uint8Array | string, options: KeyFileParserOptions = {}): KeyFileError {
  try {
    parseKeyFile(input, options);
  } catch (e) {
    if (e instanceof KeyFileError) return e;
    throw e;
  }
  throw new Error("expected a KeyFileError");
}

/** Feeds the bytes in pseudo-random chunk sizes (1..17 bytes). */
function parseChunked(bytes: Uint8Array, options: KeyFileParserOptions = {}, seed = 7): KeyRecord[] {
  const p = createKeyFileParser(options);
  const out: KeyRecord[] = [];
  let x = seed;
  for (let i = 0; i < bytes.length;) {
    x = (x * 1103515245 + 12345) >>> 0;
    const n = 1 + (x % 17);
    out.push(...p.push(bytes.subarray(i, i + n)));
    i += n;
  }
  out.push(...p.end());
  return out;
}

describe("parseKeyFile", () => {
  it("reads the sample file: 24 keys, header 卡号,卡密 inferred, third column ignored", () => {
    const bytes = new Uint8Array(readFileSync(SAMPLE));
    const { keys, report } = parseKeyFile(bytes, { file: "sample-keys.csv" });
    expect(keys).toHaveLength(24);
    expect(keys[0]).toEqual({ line: 2, serial: "52601815908301661", pin: "318609139099603082" });
    expect(keys[10]).toEqual({ line: 12, pin: "J4H9DU7794G9DPM" });
    expect(report.header).toEqual(["卡号", "卡密", "kind"]);
    expect(report.columns).toEqual({ serial: 0, pin: 1 });
    expect(report.columnsReason).toContain('PIN = column 2 "卡密"');
    expect(report.encoding).toBe("utf-8");
    for (const k of keys) expect(keyRecordSchema.parse(k)).toEqual(k);
  });

  it.each([
    ["卡号,卡密", { serial: 0, pin: 1 }],
    ["卡号,密码", { serial: 0, pin: 1 }],
    ["序列号,密码", { serial: 0, pin: 1 }],
    ["card,pin", { serial: 0, pin: 1 }],
    ["Serial, Code", { serial: 0, pin: 1 }],
    ["密码,卡号", { serial: 1, pin: 0 }],
    ["CARD NO,PIN,face value", { serial: 0, pin: 1 }],
  ])("header %s", (header, columns) => {
    const row = columns.pin === 0 ? "318609139099603082,52601815908301661" : "52601815908301661,318609139099603082";
    const { keys, report } = parseKeyFile(`${header}\n${row}\n`);
    expect(report.columns).toEqual(columns);
    expect(keys).toEqual([{ line: 2, serial: "52601815908301661", pin: "318609139099603082" }]);
  });

  it("no header: two columns = serial, PIN; one column = PIN; three columns need a mapping", () => {
    const two = parseKeyFile("52601815908301661,318609139099603082\n46281948219935181,909378657975432319\n");
    expect(two.report.header).toBeNull();
    expect(two.report.columnsReason).toMatch(/no header, two columns/);
    expect(two.keys[1]).toEqual({ line: 2, serial: "46281948219935181", pin: "909378657975432319" });
    const one = parseKeyFile("J4H9D-U7794-G9DPM\nRCG62-9BE2U-66MR2\n");
    expect(one.keys).toEqual([
      { line: 1, pin: "J4H9DU7794G9DPM" },
      { line: 2, pin: "RCG629BE2U66MR2" },
    ]);
    const e = refused("1,2,3\n4,5,6\n", { file: "three.csv" });
    expect(e.message).toMatch(/three\.csv line 1: .*3 columns; pass a column mapping/);
    const mapped = parseKeyFile("x,1111,2222\ny,3333,4444\n", { columns: { serial: 1, pin: 2 } });
    expect(mapped.keys).toEqual([
      { line: 1, serial: "1111", pin: "2222" },
      { line: 2, serial: "3333", pin: "4444" },
    ]);
    const byName = parseKeyFile("面值,编号,兑换码\n100,A1,XYZ\n", { columns: { serial: "编号", pin: "兑换码" } });
    expect(byName.keys).toEqual([{ line: 2, serial: "A1", pin: "XYZ" }]);
    expect(() => parseKeyFile("a,b\n1,2\n", { columns: { pin: "卡密" }, header: true })).toThrow(
      /the PIN column "卡密" is not in the header/,
    );
  });

  it("UTF-8 with BOM", () => {
    const bytes = utf8("\uFEFF卡号,卡密\r\n123,456\r\n");
    const { keys, report } = parseKeyFile(bytes);
    expect(report.bom).toBe(true);
    expect(report.header).toEqual(["卡号", "卡密"]);
    expect(keys).toEqual([{ line: 2, serial: "123", pin: "456" }]);
  });

  it("GBK: the hand-written fixture decodes, and GBK files are detected and read", () => {
    expect(new TextDecoder("gb18030").decode(GBK_HEADER_BYTES)).toBe("卡号,卡密\r\n");
    expect([...gbkEncode("卡号,卡密\r\n")]).toEqual([...GBK_HEADER_BYTES]);
    const text = "序列号,密码\r\n52601815908301661,318609139099603082\r\n兑换-001,会员码ABC\r\n";
    const { keys, report } = parseKeyFile(gbkEncode(text), { file: "gbk.csv" });
    expect(report.encoding).toBe("gb18030");
    expect(report.encodingReason).toMatch(/not valid UTF-8 and are valid GBK/);
    expect(keys).toEqual([
      { line: 2, serial: "52601815908301661", pin: "318609139099603082" },
      { line: 3, serial: "兑换001", pin: "会员码ABC" },
    ]);
    expect(parseKeyFile(gbkEncode(text), { encoding: "gbk" }).keys).toEqual(keys);
    expect(parseChunked(gbkEncode(text))).toEqual(keys);
  });

  it("GBK whose first lead byte ends a chunk (it looks like the start of UTF-8) is still detected", () => {
    const bytes = gbkEncode("card,pin\n1,中文ABC\n2,DEF\n");
    const cut = bytes.indexOf(0xd6) + 1; // 中 = D6 D0; D6 alone is a valid UTF-8 lead byte
    const p = createKeyFileParser();
    const keys = [...p.push(bytes.subarray(0, cut)), ...p.push(bytes.subarray(cut)), ...p.end()];
    expect(p.report().encoding).toBe("gb18030");
    expect(keys).toEqual([
      { line: 2, serial: "1", pin: "中文ABC" },
      { line: 3, serial: "2", pin: "DEF" },
    ]);
    for (let c = 1; c < bytes.length; c++) {
      const q = createKeyFileParser();
      expect([...q.push(bytes.subarray(0, c)), ...q.push(bytes.subarray(c)), ...q.end()]).toEqual(keys);
    }
  });

  it("GBK detected late: ASCII lines first, Chinese on line 4", () => {
    const text = "card,pin\n1,AAAA\n2,BBBB\n3,卡密CCCC\n";
    const { keys, report } = parseKeyFile(gbkEncode(text));
    expect(report.encoding).toBe("gb18030");
    expect(report.encodingReason).toMatch(/line 4/);
    expect(keys[2]).toEqual({ line: 4, serial: "3", pin: "卡密CCCC" });
  });

  it("never silently mangles: GBK bytes read as UTF-8 are refused naming the line", () => {
    const bytes = gbkEncode("card,pin\n1,AAAA\n2,卡密\n");
    const e = refused(bytes, { encoding: "utf-8", file: "k.csv" });
    expect(e.issues[0]).toMatchObject({ line: 3, code: "ENCODING" });
    expect(e.message).toMatch(/k\.csv line 3: undecodable bytes .*pass encoding gbk/);
  });

  it("UTF-16 files are refused", () => {
    expect(() => parseKeyFile(Uint8Array.from([0xff, 0xfe, 0x31, 0x00]))).toThrow(/UTF-16/);
  });

  it("CRLF and LF, blank lines, trailing spaces, quoted fields, tabs", () => {
    const text = 'card,pin\r\n\r\n "111" , "22,2" \n\n   \r\n333,"4""44"   \r\n="0555",="0666"\n';
    const { keys, report } = parseKeyFile(text);
    expect(keys).toEqual([
      { line: 3, serial: "111", pin: "22,2" },
      { line: 6, serial: "333", pin: '4"44' },
      { line: 7, serial: "0555", pin: "0666" },
    ]);
    expect(report.blankLines).toBe(3);
    expect(report.lineEndings).toEqual({ lf: 3, crlf: 4 });
    const tsv = parseKeyFile("卡号\t卡密\n5260 1815\t3186-0913 \n");
    expect(tsv.report.format).toBe("tsv");
    expect(tsv.keys).toEqual([{ line: 2, serial: "52601815", pin: "31860913" }]);
  });

  it("a quoted field spanning lines keeps later line numbers right", () => {
    const { keys } = parseKeyFile('card,pin\n"1\n2",AAA\n3,BBB\n');
    expect(keys).toEqual([
      { line: 2, serial: "12", pin: "AAA" },
      { line: 4, serial: "3", pin: "BBB" },
    ]);
  });

  it("refuses scientific notation with a clear error naming the line", () => {
    const e = refused("卡号,卡密\n52601815908301661,318609139099603082\n4.62819E+16,909378657975432319\n", {
      file: "keys.csv",
    });
    expect(e.issues).toEqual([expect.objectContaining({ line: 3, code: "SCI_NOTATION" })]);
    expect(e.message).toMatch(/^Invalid key file keys\.csv line 3: serial "4\.62819E\+16" is in scientific notation/);
    const pin = refused("卡号,卡密\n1,3.18609E+17\n");
    expect(pin.issues[0]).toMatchObject({ line: 2, code: "SCI_NOTATION" });
    expect(pin.message).not.toContain("3.18609");
  });

  it("stripped leading zeros: refused when a length is declared, warned otherwise", () => {
    const rows = ["卡号,卡密"];
    for (let i = 0; i < 20; i++)
      rows.push(`0${String(1000000000000000 + i)},${String(100000000000000000n + BigInt(i))}0`);
    rows.push(`${String(1000000000000099)},1000000000000000990`);
    const text = rows.join("\n") + "\n";
    const e = refused(text, { serialLength: 17, file: "zeros.csv" });
    expect(e.issues).toEqual([expect.objectContaining({ line: 22, code: "LEADING_ZEROS" })]);
    expect(e.message).toMatch(
      /line 22: serial "1000000000000099" has 16 characters, 17 declared: leading zeros were probably stripped/,
    );
    const { report } = parseKeyFile(text);
    expect(report.warnings.join("\n")).toMatch(/1 serial shorter than the usual 17 digits \(line 22\)/);
    const pinLen = refused(text, { pinLength: 18 });
    expect(pinLen.issueCount).toBe(21);
    expect(pinLen.issues[0]).toMatchObject({ line: 2, code: "LENGTH" });
  });

  it("duplicates are reported with both line numbers, secrets never quoted", () => {
    const text = "card,pin\nA1,SECRET1\nA2,SECRET2\nA3,secret-1\nA2,SECRET4\n";
    const e = refused(text, { caseInsensitive: true, file: "dup.csv" });
    expect(e.issues.map((i) => [i.line, i.code, i.message])).toEqual([
      [4, "DUPLICATE", "duplicate PIN (first seen on line 2)."],
      [5, "DUPLICATE", 'duplicate serial "A2" (first seen on line 3).'],
    ]);
    expect(e.message).not.toMatch(/SECRET/);
    const { keys } = parseKeyFile(text, { caseInsensitive: true, duplicates: "off" });
    expect(findDuplicateKeys(keys)).toEqual([
      { field: "pin", line: 4, firstLine: 2 },
      { field: "serial", line: 5, firstLine: 3 },
    ]);
    expect(findDuplicateKeys(keys, "pin")).toEqual([{ field: "pin", line: 4, firstLine: 2 }]);
  });

  it("JSONL with field aliases; JSON numbers refused", () => {
    const text = '{"卡号":"5260","卡密":"3186-0913"}\n\n{"卡号":null,"卡密":"ABC"}\n';
    const { keys, report } = parseKeyFile(text);
    expect(report.format).toBe("jsonl");
    expect(report.columns).toEqual({ serial: "卡号", pin: "卡密" });
    expect(keys).toEqual([
      { line: 1, serial: "5260", pin: "31860913" },
      { line: 3, pin: "ABC" },
    ]);
    const e = refused('{"serial":"1","code":"A"}\n{"serial":"2","code":318609139099603082}\n{"serial":3\n');
    expect(e.issues.map((i) => [i.line, i.code])).toEqual([
      [2, "JSON"],
      [3, "JSON"],
    ]);
    expect(e.issues[0]!.message).toMatch(/must be a string/);
  });

  it("rows with too few columns and empty PINs are refused by line", () => {
    const e = refused("card,pin\n1\n2,\n3,OK\n");
    expect(e.issues.map((i) => [i.line, i.code])).toEqual([
      [2, "COLUMNS"],
      [3, "EMPTY_PIN"],
    ]);
    expect(e.issueCount).toBe(2);
  });

  it("streaming: any chunking gives the same keys (UTF-8 multi-byte and CRLF split across chunks)", () => {
    const text =
      "\uFEFF卡号,卡密\r\n" +
      Array.from({ length: 300 }, (_, i) => `卡${i},"密,${i}"\r\n${i % 7 === 0 ? "\r\n" : ""}`).join("");
    const bytes = utf8(text);
    const whole = parseKeyFile(bytes).keys;
    expect(whole).toHaveLength(300);
    for (const seed of [1, 2, 3]) expect(parseChunked(bytes, {}, seed)).toEqual(whole);
  });

  it("streaming: a refused multi-line quoted row split across chunks is reported once, as in one piece", () => {
    const bytes = utf8('card,pin\n1,"AAAA\nAAAA"x,tail of the line\n2,BBBBBBBB\n');
    const whole = refused(bytes);
    expect(whole.issues).toEqual([{ line: 2, code: "QUOTE", message: 'unexpected "x" after a closing quote.' }]);
    for (const seed of [1, 2, 3, 4, 5]) {
      const p = createKeyFileParser();
      let x = seed;
      const keys: KeyRecord[] = [];
      for (let i = 0; i < bytes.length;) {
        x = (x * 1103515245 + 12345) >>> 0;
        const n = 1 + (x % 17);
        keys.push(...p.push(bytes.subarray(i, i + n)));
        i += n;
      }
      expect(() => p.end()).toThrow(KeyFileError);
      expect(keys).toEqual([{ line: 4, serial: "2", pin: "BBBBBBBB" }]);
      expect(p.report().issues).toEqual(whole.issues);
      expect(p.report().issueCount).toBe(1);
    }
  });

  it("reads 1,000,000 rows streamed in 64 KiB chunks, line numbers exact", () => {
    const rows: string[] = ["卡号,卡密"];
    const serial = (i: number) => `526018159${String(i).padStart(8, "0")}`;
    const pin = (i: number) => `3186091390${String(i * 7).padStart(8, "0")}`;
    for (let i = 0; i < 1_000_000; i++) rows.push(`${serial(i)},${pin(i)}`);
    const bytes = utf8(rows.join("\r\n") + "\r\n");
    const p = createKeyFileParser({ duplicates: "off" });
    let count = 0;
    let last: KeyRecord | undefined;
    for (let i = 0; i < bytes.length; i += 65536) {
      const got = p.push(bytes.subarray(i, i + 65536));
      count += got.length;
      if (got.length) last = got[got.length - 1];
    }
    const rest = p.end();
    count += rest.length;
    if (rest.length) last = rest[rest.length - 1];
    expect(count).toBe(1_000_000);
    expect(last).toEqual({ line: 1_000_001, serial: serial(999_999), pin: pin(999_999) });
    expect(p.report().entropy).toMatchObject({ level: "warn", length: 18, alphabet: "digits" });
  });
});
