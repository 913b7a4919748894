/**
 * docs/FORMATS.md §7.6: one code per refusal, fixed by the precedence the section defines; every row of its
 * vector table is decoded here (the table is read from the document, so the document and the decoder agree).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodePayload } from "../../lib/payload/decodePayload.js";
import { parsePayloadInput } from "../../lib/payload/parsePayloadInput.js";
import { PayloadError } from "../../lib/payload/errors.js";

const doc = readFileSync(new URL("../../docs/FORMATS.md", import.meta.url), "utf8");
const table = /<!-- error-vectors:start -->([\s\S]*?)<!-- error-vectors:end -->/.exec(doc)![1]!;
const rows = [...table.matchAll(/^\| `([A-Z0-9_]+)` \| (string|link|bytes) `(.*)` \|$/gm)].map((m) => ({
  code: m[1]!,
  kind: m[2]! as "string" | "link" | "bytes",
  text: m[3]!,
}));

const NAMED: Record<string, number[]> = {
  L: Array<number>(20).fill(0x11),
  B: Array<number>(32).fill(0x22),
  S: Array<number>(32).fill(0x33),
  C: Array<number>(32).fill(0x44),
};
/** The table's byte notation: hex bytes, `L B S C`, and `xx×n` repeats. */
function bytesOf(text: string): Uint8Array {
  const out: number[] = [];
  for (const t of text.split(" ")) {
    const named = NAMED[t];
    const rep = /^([0-9a-f]{2})×(\d+)$/.exec(t);
    if (named) out.push(...named);
    else if (rep) out.push(...Array<number>(Number(rep[2])).fill(parseInt(rep[1]!, 16)));
    else if (/^[0-9a-f]{2}$/.test(t)) out.push(parseInt(t, 16));
    else throw new Error(`unknown token ${JSON.stringify(t)} in docs/FORMATS.md §7.6`);
  }
  return Uint8Array.from(out);
}
const unescape = (t: string) =>
  t
    .replace(/\\([trn])/g, (_, c: string) => ({ t: "\t", r: "\r", n: "\n" })[c]!)
    .replace(/^(.)×(\d+)$/, (_, c: string, n: string) => c.repeat(Number(n)));

function codeOf(row: (typeof rows)[number]): string {
  try {
    if (row.kind === "link") decodePayload(parsePayloadInput(unescape(row.text)).payload);
    else if (row.kind === "string") decodePayload(unescape(row.text));
    else decodePayload(Buffer.from(bytesOf(row.text)).toString("base64url"));
  } catch (e) {
    if (e instanceof PayloadError) return e.code;
    throw e;
  }
  return "decoded";
}

describe("payload error codes and their precedence (docs/FORMATS.md §7.6)", () => {
  it("the vector table covers every code the decoder and the link parser give", () => {
    const codes = new Set(rows.map((r) => r.code));
    for (const c of [
      "EMPTY",
      "OVERSIZED",
      "URL",
      "BASE64",
      "TRUNCATED",
      "VERSION",
      "FLAGS",
      "VARINT_NON_CANONICAL",
      "VARINT_OVERFLOW",
      "CHAIN_ID",
      "INDEX_RANGE",
      "GS1",
      "EXPIRY",
      "PROOF_TOO_DEEP",
      "PROOF_LENGTH",
      "TRAILING_BYTES",
    ])
      expect(codes, c).toContain(c);
  });

  it.each(rows.map((r) => [r.code, r.kind, r.text.length > 40 ? `${r.text.slice(0, 40)}…` : r.text, r] as const))(
    "%s: %s %s",
    (code, _kind, _text, row) => {
      expect(codeOf(row)).toBe(code);
    },
  );

  it("the ambiguous cases: an empty fragment is URL, a lone 0x00 is VERSION, a lone 0x01 TRUNCATED", () => {
    expect(() => parsePayloadInput("https://verify.example/v/#")).toThrow(expect.objectContaining({ code: "URL" }));
    expect(() => decodePayload("AA")).toThrow(expect.objectContaining({ code: "VERSION" }));
    expect(() => decodePayload("AQ")).toThrow(expect.objectContaining({ code: "TRUNCATED" }));
  });
});
