import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { bytesToHex } from "viem";
import { describe, expect, it } from "vitest";
import { KeyFileError } from "../../lib/keys/errors.js";
import { encodeKeyBytes } from "../../lib/keys/encodeKeyBytes.js";
import { parseKeyFile } from "../../lib/keys/parseKeyFile.js";
import type { KeyFileParserOptions } from "../../lib/keys/createKeyFileParser.js";
import { readKeyFile } from "../../scripts/seal/readKeyFile.js";
import { SAMPLE, tempDir } from "./helpers.js";

/** The reference: lib/keys' parser and encodeKeyBytes, key by key. */
function reference(text: string | Uint8Array, options: KeyFileParserOptions = {}): string[] {
  return parseKeyFile(text, { file: "keys.csv", ...options }).keys.map((k) => bytesToHex(encodeKeyBytes(k)));
}

async function ours(path: string, options: KeyFileParserOptions = {}): Promise<{ keys: string[]; reader: string }> {
  const r = await readKeyFile(path, { file: "keys.csv", ...options });
  const keys: string[] = [];
  for (let i = 0; i < r.count; i++) keys.push(bytesToHex(r.data.subarray(r.offsets[i]!, r.offsets[i + 1]!)));
  return { keys, reader: r.info.reader };
}

describe("readKeyFile: the fast byte reader equals lib/keys' parser", () => {
  const dir = tempDir("read");
  const file = (name: string, content: string | Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };

  const table: [string, string, KeyFileParserOptions, "fast" | "general"][] = [
    [
      "header 卡号,卡密, LF",
      "卡号,卡密\n1234567890123456,ABCD1234EFGH5678\n2234567890123456,XBCD1234EFGH5678\n",
      {},
      "fast",
    ],
    [
      "CRLF, blank lines, trailing spaces",
      "card,pin\r\n\r\n 1234 5678 9012 3456 , ab-cd_12 34 \r\n\r\n2234567890123456,Q1\r\n",
      {},
      "fast",
    ],
    ["no header, one column", "J4H9D-U7794-G9DPM\nRCG62-9BE2U-66MR2\n", {}, "fast"],
    ["no header, two columns, no final newline", "11,AA\n12,BB", {}, "fast"],
    ["TSV with 序列号/密码", "序列号\t密码\n0012\tx-y-z\n0013\tX-Y-Q\n", {}, "fast"],
    ["case-insensitive", "pin\nabc-def\nGhI\n", { caseInsensitive: true }, "fast"],
    ["PIN column before serial", "卡密,卡号,kind\nP1,S1,a\nP2,S2,b\n", {}, "fast"],
    ["empty serial cell drops the serial", "卡号,卡密\n,PIN-1\n77,PIN-2\n", {}, "fast"],
    ["quoted cells go to the general parser", 'card,pin\n"1,2",P1\n3,"P 2"\n', {}, "general"],
    ["full-width text goes to the general parser", "卡号,卡密\n１２３,ＡＢＣ\n", {}, "general"],
    ["JSONL goes to the general parser", '{"card":"1","pin":"A"}\n{"card":"2","pin":"B"}\n', {}, "general"],
    ["declared lengths", "卡号,卡密\n1234,ABCDEF\n5678,GHIJKL\n", { serialLength: 4, pinLength: 6 }, "fast"],
  ];
  for (const [name, text, options, reader] of table) {
    it(`${name} (${reader})`, async () => {
      const got = await ours(file(`${name.replace(/\W+/g, "_")}.csv`, text), options);
      expect(got.reader).toBe(reader);
      expect(got.keys).toEqual(reference(text, options));
    });
  }

  it("the sample key file (every market shape)", async () => {
    const got = await ours(SAMPLE);
    expect(got.keys.length).toBe(24);
    const { readFileSync } = await import("node:fs");
    expect(got.keys).toEqual(reference(readFileSync(SAMPLE)));
  });

  it("a GBK file (general parser) gives the same keys as its UTF-8 twin", async () => {
    // "卡号,卡密" in GBK
    const header = Uint8Array.from([0xbf, 0xa8, 0xba, 0xc5, 0x2c, 0xbf, 0xa8, 0xc3, 0xdc, 0x0a]);
    const body = new TextEncoder().encode("1001,AAAA\n1002,BBBB\n");
    const gbk = new Uint8Array(header.length + body.length);
    gbk.set(header);
    gbk.set(body, header.length);
    const got = await ours(file("gbk.csv", gbk));
    expect(got.keys).toEqual(reference("卡号,卡密\n1001,AAAA\n1002,BBBB\n"));
  });

  const refusals: [string, string, RegExp][] = [
    [
      "a duplicate PIN, with both line numbers",
      "卡号,卡密\n1,AAA\n2,BBB\n3,AAA\n",
      /line 4: duplicate PIN \(first seen on line 2\)/,
    ],
    ["a duplicate serial", "卡号,卡密\n1,AAA\n1,BBB\n", /line 3: duplicate serial "1" \(first seen on line 2\)/],
    [
      "scientific notation",
      "卡号,卡密\n1.23457E+16,AAA\n",
      /keys\.csv line 2: serial "1\.23457E\+16" is in scientific notation/,
    ],
    ["an empty PIN", "卡号,卡密\n1,AAA\n2,  \n", /line 3: the PIN is empty/],
    ["a control character", "卡号,卡密\n1,A\u0001B\n", /line 2: invalid PIN: control character U\+0001/],
    ["too few columns", "卡号,卡密\n1\n", /line 2: 1 column, at least 2 expected/],
  ];
  for (const [name, text, message] of refusals) {
    it(`refuses ${name}, naming the file and line`, async () => {
      const p = file(`bad_${name.replace(/\W+/g, "_")}.csv`, text);
      await expect(readKeyFile(p, { file: "keys.csv" })).rejects.toThrow(KeyFileError);
      await expect(readKeyFile(p, { file: "keys.csv" })).rejects.toThrow(message);
    });
  }

  it("finds a repeated serial among 20,000 rows (the sort-based check) and leaves it to lib/keys to name both lines", async () => {
    const rows = Array.from(
      { length: 20_000 },
      (_, i) => `${1_000_000 + i},PIN${(i * 7919).toString(36).toUpperCase()}X`,
    );
    rows[18_000] = `${1_000_000 + 4},UNIQUEPIN`;
    const p = file("dupserial.csv", `卡号,卡密\n${rows.join("\n")}\n`);
    await expect(readKeyFile(p, { file: "keys.csv" })).rejects.toThrow(
      /line 18,002: duplicate serial "1000004" \(first seen on line 6\)/,
    );
    rows[18_000] = `${1_000_000 + 18_000},UNIQUEPIN`;
    const ok = await ours(file("nodup.csv", `卡号,卡密\n${rows.join("\n")}\n`));
    expect(ok.reader).toBe("fast");
    expect(ok.keys.length).toBe(20_000);
  });

  it("random ASCII files: same keys, or the same refusal, as lib/keys", async () => {
    const cell = fc.stringMatching(/^[ 0-9A-Za-z_\-\t]{0,8}$/);
    const row = fc.tuple(cell, cell).map(([a, b]) => `${a},${b}`);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        fc.constantFrom("\n", "\r\n"),
        async (rows, ci, eol) => {
          const text = `card,pin${eol}${rows.join(eol)}${eol}`;
          const p = file(`rand${n++}.csv`, text);
          let expected: string[] | string;
          try {
            expected = reference(text, { caseInsensitive: ci });
          } catch (e) {
            expected = (e as Error).message;
          }
          let got: string[] | string;
          try {
            got = (await ours(p, { caseInsensitive: ci })).keys;
          } catch (e) {
            got = (e as Error).message;
          }
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });
});
