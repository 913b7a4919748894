import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import QRCode from "qrcode";
import { renderLabelSheetPdf } from "../../scripts/cli/batch/renderLabelSheetPdf.js";
import { describeLedgerError } from "../../scripts/cli/chain/describeLedgerError.js";
import { findHint } from "../../scripts/cli/chain/findHint.js";
import { createCsvRecordSplitter } from "../../lib/keys/parse/createCsvRecordSplitter.js";
import { readUrlRange } from "../../scripts/cli/batch/readUrlRange.js";
import { readIndexFile } from "../../scripts/cli/parse/readIndexFile.js";
import { formatRange } from "../../scripts/cli/parse/formatRange.js";
import { packRedeemWords } from "../../scripts/cli/parse/packRedeemWords.js";
import { parseColumns } from "../../scripts/cli/parse/parseColumns.js";
import { parseFaceValue } from "../../scripts/cli/parse/parseFaceValue.js";
import { parseRange } from "../../scripts/cli/parse/parseRange.js";
import { parseReason } from "../../scripts/cli/parse/parseReason.js";
import { parseTime } from "../../scripts/cli/parse/parseTime.js";
import { memoHash } from "../../scripts/cli/parse/memoHash.js";
import { planChunks } from "../../scripts/cli/transfer/planChunks.js";
import { readOrders, type OrderRow } from "../../scripts/cli/transfer/readOrders.js";
import { toSaleOrders } from "../../scripts/cli/sale/runSell.js";
import { readSaleOrders } from "../../scripts/cli/sale/readSaleOrders.js";
import { keccak256, toHex, zeroHash } from "viem";

describe("CLI input parsing", () => {
  it("ranges are inclusive on the command line and half-open for the contract", () => {
    expect(parseRange("0-9999", "--range")).toEqual({ start: 0n, end: 10000n });
    expect(parseRange("42", "--range")).toEqual({ start: 42n, end: 43n });
    expect(() => parseRange("9-3", "--range")).toThrow('--range "9-3" ends before it starts');
    expect(() => parseRange("a-b", "--range")).toThrow("is not a range");
    expect(() => parseRange(`0-${2 ** 48}`, "--range")).toThrow("reaches past the largest index");
    expect(formatRange(0n, 10000n)).toBe("0-9999");
    expect(formatRange(5n, 6n)).toBe("5");
  });

  it("face values use the currency's minor unit", () => {
    expect(parseFaceValue("50", "CNY")).toBe(5000n);
    expect(parseFaceValue("49.9", "CNY")).toBe(4990n);
    expect(parseFaceValue("1000", "JPY")).toBe(1000n);
    expect(() => parseFaceValue("1.234", "CNY")).toThrow("more decimals than CNY allows (2)");
    expect(() => parseFaceValue("-5", "CNY")).toThrow("is not an amount");
  });

  it("times: never, dates (end of day UTC), Unix seconds, durations", () => {
    expect(parseTime("never", "--expires")).toBe(0n);
    expect(parseTime("2027-12-31", "--expires")).toBe(BigInt(Date.UTC(2027, 11, 31, 23, 59, 59) / 1000));
    expect(parseTime("1830297599", "--expires")).toBe(1830297599n);
    const d = Number(parseTime("365d", "--expires")) - Math.floor(Date.now() / 1000);
    expect(d).toBeGreaterThanOrEqual(365 * 86400 - 5);
    expect(d).toBeLessThanOrEqual(365 * 86400);
    expect(() => parseTime("next year", "--expires")).toThrow('--expires "next year" is not a time');
  });

  it("revocation reasons, column maps, CSV lines and memos", () => {
    expect(
      ["stolen", "chargeback", "unauthorised", "unauthorized", "issuer-error", "issuer_error", "other"].map(
        parseReason,
      ),
    ).toEqual([1, 2, 3, 3, 4, 4, 5]);
    expect(() => parseReason("none")).toThrow("is not a revocation reason");
    expect(parseColumns("serial=卡号,pin=卡密")).toEqual({ serial: "卡号", pin: "卡密" });
    expect(parseColumns("serial=none,pin=2")).toEqual({ serial: null, pin: 2 });
    expect(() => parseColumns("serial=0")).toThrow("names no pin column");
    // CLI CSV files (orders, index files, urls.csv) go through lib/keys' record splitter; cells are trimmed by the reader.
    const cells = (line: string) =>
      createCsvRecordSplitter()
        .push(`${line}\n`)[0]!
        .cells.map((c) => c.trim());
    expect(cells('0xab, 0, 99 ,0xcd,"order 17, Shenzhen ""A"""')).toEqual([
      "0xab",
      "0",
      "99",
      "0xcd",
      'order 17, Shenzhen "A"',
    ]);
    expect(cells("a\tb\tc")).toEqual(["a", "b", "c"]);
    expect(memoHash("")).toBe(zeroHash);
    expect(memoHash("PO-1")).toBe(keccak256(toHex("PO-1")));
  });
});

describe("CLI CSV readers share lib/keys' record splitter", () => {
  const dir = mkdtempSync(join(tmpdir(), "keytrail-cli-csv-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const B = `0x${"ab".repeat(32)}`;
  const TO = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

  it("sale orders: keys as an index or a range, the sale context parsed, overlaps and bad values named", () => {
    const path = join(dir, "sales.csv");
    writeFileSync(
      path,
      `batch,keys,order_ref,amount,currency,store,terminal\r\n${B},0-9,"ORD-1, gift",49.90,cny,Shop 12,T1\r\n${B},10,ORD-2\r\n${B},11-14,ORD-3,49.90,CNY,Shop 12,T1\r\n`,
    );
    const { rows } = readSaleOrders(path);
    expect(rows.map((r) => [r.line, r.start, r.end, r.orderReference])).toEqual([
      [2, 0n, 10n, "ORD-1, gift"],
      [3, 10n, 11n, "ORD-2"],
      [4, 11n, 15n, "ORD-3"],
    ]);
    expect(rows[0]!.context).toEqual({
      amount: 4990n,
      currency: "0x434e59",
      store: toHex("Shop 12", { size: 32 }),
      terminal: toHex("T1", { size: 32 }),
    });
    expect(rows[1]!.context).toEqual({ amount: 0n, currency: "0x000000", store: zeroHash, terminal: zeroHash });
    // Rows split into orders of at most 4 keys: 0-3, 4-7, 8-9 | 10 | 11-14, under references of
    // the file's sha256, the line and the part's offset in the row.
    const orders = toSaleOrders(rows, { name: path, bytes: readFileSync(path) }, 4);
    expect(orders.map((o) => o.options.indices)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9], [10], [11, 12, 13, 14]]);
    const fileKey = createHash("sha256").update(readFileSync(path)).digest("hex").slice(0, 16);
    expect(orders.map((o) => o.ref)).toEqual(["2:0", "2:4", "2:8", "3:0", "4:0"].map((x) => `sale:${fileKey}:${x}`));
    expect(orders[0]!.options.sale).toMatchObject({ orderReference: "ORD-1, gift", amount: 4990n });
    writeFileSync(path, `${B},0-9,A\n${B},5,B\n`);
    expect(() => readSaleOrders(path)).toThrow(`${path} lines 1 and 2 overlap: keys 0-9 and 5 of batch ${B}`);
    writeFileSync(path, `${B},0-9,A,12.345,CNY\n`);
    expect(() => readSaleOrders(path)).toThrow(
      `${path} line 1: amount "12.345" has more decimals than CNY allows (2).`,
    );
    writeFileSync(path, `${B},0-9,A,12\n`);
    expect(() => readSaleOrders(path)).toThrow(`${path} line 1: amount "12" needs a currency.`);
    writeFileSync(path, `${B},0-9,"  "\n`);
    expect(() => readSaleOrders(path)).toThrow(`${path} line 1: Invalid order reference: it is empty.`);
  });

  it("orders file: a quoted memo holding a comma, CRLF line endings and a BOM", () => {
    const path = join(dir, "orders.csv");
    writeFileSync(
      path,
      `\uFEFFbatch,start,end,to,memo\r\n${B},0,99,${TO},"order 17, Shenzhen ""A"""\r\n\r\n# a comment\r\n${B},100,199,${TO},PO-2\r\n`,
    );
    const { rows } = readOrders(path);
    expect(rows.map((r) => ({ line: r.line, start: r.start, end: r.end, memo: r.memo }))).toEqual([
      { line: 2, start: 0n, end: 100n, memo: 'order 17, Shenzhen "A"' },
      { line: 5, start: 100n, end: 200n, memo: "PO-2" },
    ]);
    expect(rows[0]!.to).toBe(TO);
  });

  it("orders file: a memo spanning lines keeps later line numbers, a quote never closed names its line", () => {
    const path = join(dir, "orders-multi.csv");
    writeFileSync(path, `${B},0,9,${TO},"two\r\nlines"\r\n${B},10,10,${TO}\r\n${B},1,1,${TO},"open\r\n`);
    expect(() => readOrders(path)).toThrow(`${path} line 4: a quoted field is never closed.`);
    writeFileSync(path, `${B},0,9,${TO},"two\nlines"\n${B},10,x,${TO}\n`);
    expect(() => readOrders(path)).toThrow(`${path} line 3: start "10" and end "x" must be whole numbers.`);
    writeFileSync(path, `${B}\t0\t9\t${TO}\t"tab, separated"\r\n`);
    expect(readOrders(path).rows[0]!.memo).toBe("tab, separated");
  });

  it("index files: CRLF, a BOM and quoted cells from a spreadsheet export", () => {
    const path = join(dir, "indices.csv");
    writeFileSync(path, '\uFEFF5\r\n"7","10-12"\r\n# redeemed today\r\n3 4; 20 # inline comment, 99\r\n');
    expect(readIndexFile(path)).toEqual([3n, 4n, 5n, 7n, 10n, 11n, 12n, 20n]);
  });

  it("urls.csv: a serial holding a comma is read from its quotes", async () => {
    const batch = join(dir, "batch");
    mkdirSync(batch);
    writeFileSync(join(batch, ".complete"), "");
    writeFileSync(
      join(batch, "urls.csv"),
      'index,serial,url\n0,"A,1",https://v.example/v/AAA\n1,"B""2",https://v.example/v/BBB\n2,C3,https://v.example/v/CCC\n',
    );
    expect(await readUrlRange(batch, 0, 2)).toEqual([
      { index: 0, serial: "A,1", url: "https://v.example/v/AAA" },
      { index: 1, serial: 'B"2', url: "https://v.example/v/BBB" },
    ]);
  });
});

describe("CLI chain helpers", () => {
  it("findHint picks the largest known segment start at or below the index", () => {
    const starts = [0n, 100n, 5000n, 9000n];
    expect(findHint(starts, 0n)).toBe(0n);
    expect(findHint(starts, 99n)).toBe(0n);
    expect(findHint(starts, 100n)).toBe(100n);
    expect(findHint(starts, 8999n)).toBe(5000n);
    expect(findHint(starts, 10n ** 12n)).toBe(9000n);
    expect(findHint([], 5n)).toBe(0n);
  });

  it("packRedeemWords packs sorted indices into 256-key words", () => {
    expect(packRedeemWords([0n, 1n, 255n, 256n, 300n, 1024n])).toEqual([
      { wordIndex: 0n, mask: 1n | 2n | (1n << 255n), lowest: 0n },
      { wordIndex: 1n, mask: 1n | (1n << 44n), lowest: 256n },
      { wordIndex: 4n, mask: 1n, lowest: 1024n },
    ]);
  });

  it("planChunks keeps file order, N ranges per call, and one memo per call", () => {
    const row = (i: number, memo: string): OrderRow => ({
      line: i + 2,
      batchId: `0x${"11".repeat(32)}`,
      start: BigInt(i * 10),
      end: BigInt(i * 10 + 10),
      to: `0x${"22".repeat(20)}`,
      memo,
    });
    const rows = [row(0, "A"), row(1, "A"), row(2, "B"), row(3, ""), row(4, "")];
    const chunks = planChunks(rows, 2);
    expect(chunks.map((c) => c.rows.map((r) => r.line))).toEqual([[2, 3], [4, 5], [6]]);
    expect(chunks[0]!.memo).toBe(keccak256(toHex("A")));
    expect(chunks[1]!.memo).toBe(keccak256(toHex("B\n")));
    expect(chunks[2]!.memo).toBe(zeroHash);
  });

  it("ledger errors become sentences with their values", () => {
    const b = `0x${"ab".repeat(32)}`;
    const holder = "0x90F79bf6EB2c4f870365E785982E1f101E93b906" as const;
    const me = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as const;
    expect(describeLedgerError("KeyLedgerRangeNotHeld", [b, 0n, 10000n, holder], { account: me })).toBe(
      `Range 0-9999 of batch ${b} is not held by you (${me}): ${holder} holds it.`,
    );
    const other = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" as const;
    const parts = [
      { start: 0n, end: 10n, holder },
      { start: 10n, end: 20n, holder: other },
      { start: 20n, end: 30n, holder: me },
    ];
    expect(describeLedgerError("KeyLedgerRangeNotHeld", [b, 0n, 30n, holder], { account: me, holders: parts })).toBe(
      `Range 0-29 of batch ${b} is not held by you (${me}): keys 0-9 held by ${holder}, 10-19 held by ${other}, 20-29 held by you.`,
    );
    expect(describeLedgerError("KeyLedgerRangeNotHeld", [b, 0n, 40n, holder], { account: me, holders: parts })).toBe(
      `Range 0-39 of batch ${b} is not held by you (${me}): keys 0-9 held by ${holder}, 10-19 held by ${other}, 20-29 held by you, and further parts up to key 39.`,
    );
    expect(
      describeLedgerError("KeyLedgerRangeNotHeld", [b, 0n, 10n, holder], { account: me, holders: parts.slice(0, 1) }),
    ).toBe(`Range 0-9 of batch ${b} is not held by you (${me}): ${holder} holds it.`);
    expect(describeLedgerError("KeyLedgerRangeFrozen", [b, 5n, 6n, 1], {})).toContain("Range 5 of batch");
    expect(describeLedgerError("KeyLedgerRangeFrozen", [b, 5n, 6n, 1], {})).toContain("(revoked: stolen)");
    expect(describeLedgerError("KeyLedgerAlreadyRedeemed", [b, 2n, (1n << 3n) | (1n << 7n)], {})).toBe(
      `Keys 515, 519 of batch ${b} were already redeemed.`,
    );
    expect(describeLedgerError("KeyLedgerAccreditationExpired", [holder, 1830297599n], {})).toBe(
      `Party ${holder}'s accreditation expired at 2027-12-31T23:59:59Z.`,
    );
    expect(describeLedgerError("AccessControlUnauthorizedAccount", [me, keccak256(toHex("REGULATOR_ROLE"))], {})).toBe(
      `${me} lacks the role REGULATOR_ROLE on this ledger.`,
    );
    expect(describeLedgerError("SomethingNew", [1n, "x"], {})).toBe("The ledger refused with SomethingNew(1, x).");
    // v2 (ledger and sale module): the layer of a freeze, sales, refunds and re-keys name their values.
    expect(describeLedgerError("KeyLedgerRangeFrozen", [b, 5n, 6n, 1, true], {})).toBe(
      `Range 5 of batch ${b} is frozen by a regulator (revoked: stolen); frozen keys cannot move, be sold or be redeemed.`,
    );
    expect(describeLedgerError("KeyLedgerRangeFrozen", [b, 5n, 7n, 6, false], {})).toContain(
      "frozen by the supplier (revoked: refunded)",
    );
    expect(describeLedgerError("KeyLedgerAlreadySold", [b, 42n, 3], {})).toBe(
      `Key 42 of batch ${b} is already sold (sale 3); a key cannot be sold twice unless refunded and reinstated.`,
    );
    expect(describeLedgerError("KeyLedgerSaleOrder", [b, 9n, 4n], {})).toBe(
      `Sale of batch ${b}: index 4 follows 9; indices must be strictly increasing.`,
    );
    expect(describeLedgerError("KeyLedgerNotSeller", [b, 7n, me], {})).toBe(
      `Key 7 of batch ${b} was not sold by ${me}: only its seller can refund it.`,
    );
    expect(describeLedgerError("KeyLedgerBadReceipt", [b, 7n, b], {})).toContain(
      `The receipt for key 7 of batch ${b} (order reference hash ${b}) does not match its sale`,
    );
    expect(describeLedgerError("KeyLedgerNotSold", [b, 8n], {})).toBe(
      `Key 8 of batch ${b} has not been sold: the batch requires a sale before redemption.`,
    );
    expect(describeLedgerError("KeyLedgerRegulatorSuspension", [holder, me], {})).toBe(
      `Party ${holder} was suspended by a regulator: only a regulator can reinstate it (${me} cannot).`,
    );
    expect(describeLedgerError("KeyLedgerRekeySameAccount", [holder, me], {})).toBe(
      `The re-key of ${holder} was proposed by ${me}: a different account with the regulator role must confirm it.`,
    );
    expect(describeLedgerError("KeyLedgerZeroAddress", ["newAccount"], {})).toBe(
      "The zero address is not a valid newAccount.",
    );
    expect(describeLedgerError("KeyLedgerZeroAddress", [], {})).toBe(
      "The zero address is not a valid party, admin or redeemer.",
    );
  });

  it("the label sheet is a well-formed PDF: objects where the xref says, one page per 21 labels", () => {
    const rows = Array.from({ length: 22 }, (_, i) => ({
      index: i,
      serial: `62000000000000${String(i).padStart(2, "0")}`,
      url: `https://verify.example.com/v/#AQ${i}`,
    }));
    const bytes = renderLabelSheetPdf(rows, "batch (test) \\ 卡", QRCode.create);
    const pdf = new TextDecoder("latin1").decode(bytes);
    expect(pdf.startsWith("%PDF-1.4\n")).toBe(true);
    expect(pdf.trimEnd().endsWith("%%EOF")).toBe(true);
    const xref = Number(/startxref\n(\d+)\n%%EOF/.exec(pdf)![1]);
    expect(pdf.slice(xref, xref + 5)).toBe("xref\n");
    const offsets = [...pdf.slice(xref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    offsets.forEach((o, i) => expect(pdf.slice(o, o + String(i + 1).length + 6)).toBe(`${i + 1} 0 obj`));
    expect(pdf).toContain("/Count 2");
    // the title holds Chinese: set in STSong-Light as UCS-2 (it was "?" in Helvetica before)
    const title = "batch (test) \\ 卡 - 第 1 页 page 1";
    const ucs2 = [...title].map((c) => c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")).join("");
    expect(pdf).toContain(`BT /F2 9 Tf 24.00 808.89 Td <${ucs2}> Tj ET`);
    // ASCII stays in Helvetica, with ( ) \ escaped
    const ascii = new TextDecoder("latin1").decode(
      renderLabelSheetPdf([{ index: 0, serial: "S(1)\\", url: rows[0]!.url }], "t", QRCode.create),
    );
    expect(ascii).toContain("(S\\(1\\)\\\\) Tj");
    for (const m of pdf.matchAll(/<< \/Length (\d+) >>\nstream\n/g)) {
      const start = m.index! + m[0].length;
      expect(pdf.slice(start + Number(m[1]), start + Number(m[1]) + 10)).toBe("\nendstream");
    }
  });
});
