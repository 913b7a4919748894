import { describe, expect, it } from "vitest";
import type { Hex } from "viem";
import vectors from "../fixtures/vectors.json" with { type: "json" };
import { encodePayload } from "../../lib/payload/encodePayload.js";
import { decodePayload } from "../../lib/payload/decodePayload.js";
import { payloadUrl } from "../../lib/payload/payloadUrl.js";
import { parsePayloadInput } from "../../lib/payload/parsePayloadInput.js";
import { addSeller } from "../../lib/payload/addSeller.js";
import { gs1DigitalLinkPath } from "../../lib/payload/gs1DigitalLinkPath.js";
import { PayloadError } from "../../lib/payload/errors.js";
import { computeReceiptCommitment } from "../../lib/sale/computeReceiptCommitment.js";
import { computeOrderRefHash } from "../../lib/sale/computeOrderRefHash.js";
import type { PayloadErrorCode } from "../../lib/payload/errors.js";
import { MAX_PAYLOAD_BYTES, MAX_PAYLOAD_CHARS } from "../../lib/payload/constants.js";
import { decodedPayloadSchema, payloadFieldsSchema } from "../../lib/schemas/payload.js";
import type { PayloadFields } from "../../lib/schemas/payload.js";
import { LEDGER, RECEIPT, SELLER, b64u, fill, hexBytes, leb, payloadBytes, unb64u } from "./helpers.js";

function code(s: string): PayloadErrorCode {
  try {
    decodePayload(s);
  } catch (e) {
    expect(e).toBeInstanceOf(PayloadError);
    return (e as PayloadError).code;
  }
  throw new Error(`decoded: ${s}`);
}

const lower = (v: unknown): unknown =>
  typeof v === "string" && v.startsWith("0x") ? v.toLowerCase() : Array.isArray(v) ? v.map(lower) : v;

describe("payload vectors", () => {
  it.each(vectors.payloads)("$name: bytes, string and round trip", (v) => {
    expect(encodePayload(v.fields as PayloadFields)).toBe(v.payload);
    expect(`0x${Buffer.from(unb64u(v.payload)).toString("hex")}`).toBe(v.bytes);
    const d = decodePayload(v.payload);
    for (const [k, val] of Object.entries(v.fields))
      expect((d as Record<string, unknown>)[k], k).toEqual(k === "gs1" ? val : lower(val));
    expect(decodedPayloadSchema.parse(d)).toEqual(d);
    expect(encodePayload(d)).toBe(v.payload);
    expect(parsePayloadInput(v.url)).toEqual({ payload: v.payload, portalBase: "https://verify.keytrail.example" });
  });

  it("short form byte layout: version, flags, varint chainId, ledger, batchId, varint index, salt", () => {
    const v = vectors.payloads[1]!;
    const expected = [
      1,
      0x10,
      ...leb(31337),
      ...hexBytes(v.fields.ledger),
      ...hexBytes(v.fields.batchId),
      ...leb(2),
      ...hexBytes(v.fields.salt!),
    ];
    expect(hexBytes(v.bytes)).toEqual(expected);
    expect(expected).toHaveLength(90);
  });

  it("version 2 vectors carry the receipt vector's secret after the seller (field 10)", () => {
    const v = vectors.payloads[4]!;
    const b = hexBytes(v.bytes);
    expect(b.slice(0, 2)).toEqual([2, 0x34]); // version 2; seller | key upper | receipt
    expect(b.slice(110, 126)).toEqual(hexBytes(vectors.receipt.secret));
    expect(b).toHaveLength(126);
    expect(decodePayload(vectors.payloads[5]!.payload).receiptSecret).toBe(vectors.receipt.secret);
    const r = vectors.receipt;
    expect(computeReceiptCommitment({ batchId: r.batchId as Hex, index: r.index, secret: r.secret as Hex })).toBe(
      r.commitment,
    );
    expect(computeOrderRefHash({ orderReference: r.orderReference, secret: r.secret as Hex })).toBe(r.orderRef);
  });

  it("full form byte layout ends with the node count and the proof", () => {
    const v = vectors.payloads[0]!;
    const b = hexBytes(v.bytes);
    const proof = v.fields.proof!;
    expect(b[1]).toBe(0x13); // full | commitment | key upper
    expect(b.slice(90, 122)).toEqual(hexBytes(v.fields.commitment!));
    expect(b[122]).toBe(proof.length);
    expect(b.slice(123)).toEqual(proof.flatMap(hexBytes));
  });
});

describe("payload codec", () => {
  const base = { chainId: 31337, ledger: LEDGER, batchId: fill(0xb1), index: 7, salt: fill(0x5a) } as const;

  it("round-trips every optional field combination", () => {
    const gs1s = [
      undefined,
      { gtin: "09506000134352" },
      { gtin: "09506000134352", lot: "ABC-1/2", serial: "x!%&'()*+,-./:;<=>?_z", expiry: "260100" },
    ];
    for (const form of ["short", "full"] as const)
      for (const commitment of form === "full" ? [fill(3)] : [undefined, fill(3)])
        for (const seller of [undefined, SELLER])
          for (const gs1 of gs1s)
            for (const receiptSecret of [undefined, RECEIPT])
              for (const keyCase of ["exact", "upper"] as const) {
                const gs1Fixed =
                  gs1 && "serial" in gs1 && gs1.serial !== undefined
                    ? { ...gs1, serial: gs1.serial.slice(0, 20) }
                    : gs1;
                const f: PayloadFields = {
                  ...base,
                  form,
                  keyCase,
                  ...(commitment ? { commitment } : {}),
                  ...(seller ? { seller } : {}),
                  ...(gs1Fixed ? { gs1: gs1Fixed } : {}),
                  ...(receiptSecret ? { receiptSecret } : {}),
                  ...(form === "full" ? { proof: [fill(1), fill(2)] } : {}),
                };
                const s = encodePayload(f);
                const d = decodePayload(s);
                expect(d).toEqual({ version: receiptSecret ? 2 : 1, ...f });
                expect(unb64u(s)[0]).toBe(receiptSecret ? 2 : 1);
                expect(encodePayload(d)).toBe(s);
              }
  });

  it("full form with an empty proof (a batch of one key) and with 48 nodes", () => {
    expect(decodePayload(encodePayload({ ...base, form: "full", commitment: fill(3), proof: [] })).proof).toEqual([]);
    const deep = Array.from({ length: 48 }, (_, i) => fill(i + 1));
    expect(decodePayload(encodePayload({ ...base, form: "full", commitment: fill(3), proof: deep })).proof).toEqual(
      deep,
    );
  });

  it("largest values: chain id 2^53 - 1, index 2^48 - 1", () => {
    const d = decodePayload(
      encodePayload({ ...base, form: "short", chainId: Number.MAX_SAFE_INTEGER, index: 2 ** 48 - 1 }),
    );
    expect([d.chainId, d.index]).toEqual([Number.MAX_SAFE_INTEGER, 2 ** 48 - 1]);
  });

  it("the largest valid payload fits MAX_PAYLOAD_CHARS exactly", () => {
    const s = encodePayload({
      ...base,
      form: "full",
      chainId: Number.MAX_SAFE_INTEGER,
      index: 2 ** 48 - 1,
      commitment: fill(3),
      seller: SELLER,
      receiptSecret: RECEIPT,
      gs1: { gtin: "99999999999997", lot: "L".repeat(20), serial: "S".repeat(20), expiry: "991231" },
      proof: Array.from({ length: 48 }, () => fill(9)),
    });
    expect(s.length).toBe(MAX_PAYLOAD_CHARS);
    expect(unb64u(s)).toHaveLength(MAX_PAYLOAD_BYTES);
  });

  it("receipt secret: version 2, flag 0x20, 16 bytes after the seller; without it the bytes are version 1", () => {
    const v1 = encodePayload({ ...base, form: "short", seller: SELLER, commitment: fill(3) });
    const v2 = encodePayload({ ...base, form: "short", seller: SELLER, commitment: fill(3), receiptSecret: RECEIPT });
    const b1 = [...unb64u(v1)];
    const b2 = [...unb64u(v2)];
    expect(b1[0]).toBe(1);
    expect(b2.slice(0, 2)).toEqual([2, b1[1]! | 0x20]);
    expect(b2.slice(2, b1.length)).toEqual(b1.slice(2));
    expect(b2.slice(b1.length)).toEqual(hexBytes(RECEIPT));
    // A decoded version 1 payload given a secret becomes version 2; dropping the secret gives the v1 bytes back.
    const d1 = decodePayload(v1);
    expect(encodePayload({ ...d1, receiptSecret: RECEIPT })).toBe(v2);
    expect(encodePayload({ ...decodePayload(v2), receiptSecret: undefined })).toBe(v1);
    expect(decodePayload(addSeller(v2, LEDGER)).receiptSecret).toBe(RECEIPT);
    // An upper-case secret is written as bytes and read back lower-case.
    expect(
      decodePayload(
        encodePayload({ ...base, form: "short", receiptSecret: RECEIPT.toUpperCase().replace("0X", "0x") as Hex }),
      ).receiptSecret,
    ).toBe(RECEIPT);
  });

  it("the decoded-payload schema ties version 2 to the receipt secret", () => {
    const d = decodePayload(encodePayload({ ...base, form: "short", receiptSecret: RECEIPT }));
    expect(decodedPayloadSchema.safeParse(d).success).toBe(true);
    expect(decodedPayloadSchema.safeParse({ ...d, version: 1 }).success).toBe(false);
    expect(decodedPayloadSchema.safeParse({ ...d, receiptSecret: undefined }).success).toBe(false);
    expect(decodedPayloadSchema.safeParse({ ...d, receiptSecret: fill(1) }).success).toBe(false);
    expect(payloadFieldsSchema.safeParse({ ...base, form: "short", receiptSecret: RECEIPT }).success).toBe(true);
    expect(payloadFieldsSchema.safeParse({ ...base, form: "short", receiptSecret: "0x12" }).success).toBe(false);
  });

  it("addSeller adds (or replaces) the seller and keeps everything else", () => {
    const s = encodePayload({ ...base, form: "short" });
    const withSeller = addSeller(s, SELLER);
    expect(decodePayload(withSeller)).toEqual({ ...decodePayload(s), seller: SELLER });
    expect(decodePayload(addSeller(withSeller, LEDGER)).seller).toBe(LEDGER);
    expect(() => addSeller(s, "0x123" as Hex)).toThrow(PayloadError);
  });

  it("GS1 Digital Link path of the GS1 identifiers", () => {
    const d = decodePayload(vectors.payloads[3]!.payload);
    expect(gs1DigitalLinkPath(d.gs1!)).toBe("/01/09506000134352/10/L2026-11/21/A7?17=271231");
    expect(gs1DigitalLinkPath({ gtin: "09506000134352", serial: "a/b%c'd" })).toBe(
      "/01/09506000134352/21/a%2Fb%25c%27d",
    );
  });

  it("payloadUrl and parsePayloadInput", () => {
    expect(payloadUrl("https://v.example//", "AbC")).toBe("https://v.example/v/#AbC");
    expect(parsePayloadInput("  https://v.example/base/v/#Ab\nC  ")).toEqual({
      payload: "AbC",
      portalBase: "https://v.example/base",
    });
    expect(parsePayloadInput("https://v.example/base/en/v/#AbC")).toEqual({
      payload: "AbC",
      portalBase: "https://v.example/base",
    });
    expect(parsePayloadInput("#AbC")).toEqual({ payload: "AbC", portalBase: undefined });
    expect(parsePayloadInput("AbC")).toEqual({ payload: "AbC", portalBase: undefined });
    expect(() => parsePayloadInput("https://v.example/v/")).toThrow(expect.objectContaining({ code: "URL" }));
    expect(() => parsePayloadInput("https://v.example/v/#")).toThrow(expect.objectContaining({ code: "URL" }));
    expect(() => parsePayloadInput("   ")).toThrow(expect.objectContaining({ code: "EMPTY" }));
  });

  it.each([
    ["form", { form: "medium" }],
    ["chainId 0", { chainId: 0 }],
    ["chainId 1.5", { chainId: 1.5 }],
    ["index -1", { index: -1 }],
    ["index 2^48", { index: 2 ** 48 }],
    ["ledger short", { ledger: "0x1234" }],
    ["batchId not hex", { batchId: `0x${"zz".repeat(32)}` }],
    ["salt 31 bytes", { salt: fill(1, 31) }],
    ["full without proof", { form: "full", commitment: fill(3) }],
    ["short with proof", { proof: [fill(1)] }],
    ["49 proof nodes", { form: "full", commitment: fill(3), proof: Array.from({ length: 49 }, () => fill(1)) }],
    ["bad GTIN check digit", { gs1: { gtin: "09506000134353" } }],
    ["GTIN-13 unpadded", { gs1: { gtin: "9506000134352" } }],
    ["lot too long", { gs1: { gtin: "09506000134352", lot: "x".repeat(21) } }],
    ["lot outside character set 82", { gs1: { gtin: "09506000134352", lot: "批次" } }],
    ["expiry month 13", { gs1: { gtin: "09506000134352", expiry: "261301" } }],
    ["unknown GS1 field", { gs1: { gtin: "09506000134352", price: "1" } }],
    ["version 3", { version: 3 }],
    ["receipt secret of 15 bytes", { receiptSecret: fill(1, 15) }],
    ["receipt secret of 32 bytes", { receiptSecret: fill(1, 32) }],
    ["receipt secret not hex", { receiptSecret: `0x${"zz".repeat(16)}` }],
  ])("encode refuses %s with code FIELD", (_name, patch) => {
    expect(() => encodePayload({ ...base, form: "short", ...(patch as object) } as PayloadFields)).toThrow(
      expect.objectContaining({ code: "FIELD" }),
    );
  });
  it("encode never quotes the salt or the receipt secret", () => {
    expect(() => encodePayload({ ...base, form: "short", salt: "0xsecretsecret" as Hex })).toThrow(/value not shown/);
    const bad = "0x0123456789abcdef0123456789abcdefff" as Hex;
    expect(() => encodePayload({ ...base, form: "short", receiptSecret: bad })).toThrow(/value not shown/);
    try {
      encodePayload({ ...base, form: "short", receiptSecret: bad });
    } catch (e) {
      expect(String((e as Error).message)).not.toContain("0123456789abcdef");
    }
  });
});

describe("hostile payloads give a PayloadError with a code", () => {
  const short = payloadBytes({ flags: 0 });
  const full = (nodes: number, extraBytes = 0, declared = nodes) =>
    payloadBytes({
      flags: 0x03,
      tail: [...hexBytes(fill(3)), declared, ...Array.from({ length: nodes * 32 + extraBytes }, () => 7)],
    });
  const gs1 = (g: number[]) => b64u(payloadBytes({ flags: 0x08, tail: g }));
  const cases: [string, string, PayloadErrorCode][] = [
    ["empty", "", "EMPTY"],
    ["oversized", "A".repeat(MAX_PAYLOAD_CHARS + 1), "OVERSIZED"],
    ["padding", b64u([1, 0]) + "=", "BASE64"],
    ["standard base64 characters + /", "AQ+/", "BASE64"],
    ["non-ASCII", "AQ卡", "BASE64"],
    ["space inside", "AQ A", "BASE64"],
    ["impossible length", "AQABA", "BASE64"],
    ["non-zero spare bits", "AR", "BASE64"],
    ["header only", b64u([1]), "TRUNCATED"],
    ["version 0", b64u(payloadBytes({ version: 0, flags: 0 })), "VERSION"],
    ["version 4", b64u(payloadBytes({ version: 4, flags: 0x40 })), "VERSION"],
    // version 3 is the public form (flag PUBLIC 0x40, no salt): the receipt flag is reserved there
    [
      "version 3 with the receipt flag",
      b64u(payloadBytes({ version: 3, flags: 0x60, tail: hexBytes(RECEIPT) })),
      "FLAGS",
    ],
    ["version 3 without the public flag", b64u(payloadBytes({ version: 3, flags: 0 })), "FLAGS"],
    ["public flag 0x40 in version 1", b64u(payloadBytes({ flags: 0x40 })), "FLAGS"],
    ["version 2 without the receipt flag", b64u(payloadBytes({ version: 2, flags: 0 })), "FLAGS"],
    ["receipt flag 0x20 in version 1", b64u(payloadBytes({ flags: 0x20, tail: hexBytes(RECEIPT) })), "FLAGS"],
    ["version 2 reserved flag 0x40", b64u(payloadBytes({ version: 2, flags: 0x60, tail: hexBytes(RECEIPT) })), "FLAGS"],
    [
      "receipt secret cut short",
      b64u(payloadBytes({ version: 2, flags: 0x20, tail: hexBytes(RECEIPT).slice(0, 15) })),
      "TRUNCATED",
    ],
    [
      "version 2 with trailing bytes",
      b64u(payloadBytes({ version: 2, flags: 0x20, tail: [...hexBytes(RECEIPT), 0] })),
      "TRAILING_BYTES",
    ],
    ["reserved flag 0x80", b64u(payloadBytes({ flags: 0x80 })), "FLAGS"],
    ["full without commitment flag", b64u(payloadBytes({ flags: 0x01 })), "FLAGS"],
    [
      "non-canonical chain id varint",
      b64u(payloadBytes({ flags: 0, chainId: [0xe9, 0xf4, 0x81, 0x00] })),
      "VARINT_NON_CANONICAL",
    ],
    ["non-canonical zero varint", b64u(payloadBytes({ flags: 0, chainId: [0x80, 0x00] })), "VARINT_NON_CANONICAL"],
    [
      "chain id varint of 9 bytes",
      b64u(payloadBytes({ flags: 0, chainId: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01] })),
      "VARINT_OVERFLOW",
    ],
    ["chain id above 2^53 - 1", b64u(payloadBytes({ flags: 0, chainId: leb(2n ** 53n) })), "VARINT_OVERFLOW"],
    ["chain id 0", b64u(payloadBytes({ flags: 0, chainId: [0] })), "CHAIN_ID"],
    ["index 2^48", b64u(payloadBytes({ flags: 0, index: leb(2 ** 48) })), "INDEX_RANGE"],
    ["non-canonical index", b64u(payloadBytes({ flags: 0, index: [0x87, 0x80, 0x00] })), "VARINT_NON_CANONICAL"],
    ["short form with trailing bytes", b64u([...short, 0]), "TRAILING_BYTES"],
    ["missing commitment", b64u(payloadBytes({ flags: 0x02, tail: [1, 2, 3] })), "TRUNCATED"],
    ["proof of 49 nodes", b64u(full(49)), "PROOF_TOO_DEEP"],
    ["proof count 255", b64u(full(1, 0, 255)), "PROOF_TOO_DEEP"],
    ["proof bytes not a multiple of 32", b64u(full(20, 5)), "PROOF_LENGTH"],
    ["proof with a node missing", b64u(full(19, 0, 20)), "TRUNCATED"],
    ["proof with an extra node", b64u(full(21, 0, 20)), "TRAILING_BYTES"],
    ["full form without the proof count", b64u(payloadBytes({ flags: 0x03, tail: hexBytes(fill(3)) })), "TRUNCATED"],
    ["seller cut short", b64u(payloadBytes({ flags: 0x04, tail: hexBytes(SELLER).slice(0, 19) })), "TRUNCATED"],
    ["GS1 reserved flag", gs1([0x08, ...leb(9506000134352)]), "FLAGS"],
    ["GS1 wrong check digit", gs1([0, ...leb(9506000134353)]), "GS1"],
    ["GS1 GTIN of 15 digits", gs1([0, ...leb(100000000000000)]), "GS1"],
    ["GS1 lot length 0", gs1([0x01, ...leb(9506000134352), 0]), "GS1"],
    ["GS1 lot length 21", gs1([0x01, ...leb(9506000134352), 21, ...Array(21).fill(65)]), "GS1"],
    ["GS1 lot with a space", gs1([0x01, ...leb(9506000134352), 2, 65, 32]), "GS1"],
    ["GS1 lot cut short", gs1([0x01, ...leb(9506000134352), 5, 65]), "TRUNCATED"],
    ["GS1 expiry month 13", gs1([0x04, ...leb(9506000134352), 26, 13, 1]), "EXPIRY"],
    ["GS1 expiry day 32", gs1([0x04, ...leb(9506000134352), 26, 12, 32]), "EXPIRY"],
    ["GS1 expiry year 100", gs1([0x04, ...leb(9506000134352), 100, 12, 1]), "EXPIRY"],
  ];
  it.each(cases.map(([name, s, expected]) => [name, expected, s] as const))("%s -> %s", (_name, expected, s) => {
    expect(code(s)).toBe(expected);
  });

  it("every truncation of a full payload is refused", () => {
    const bytes = hexBytes(vectors.payloads[3]!.bytes);
    for (let n = 0; n < bytes.length; n++) {
      const c = code(n === 0 ? "" : b64u(bytes.slice(0, n)));
      expect(["EMPTY", "TRUNCATED", "PROOF_LENGTH"]).toContain(c);
    }
  });

  it("errors quote the input and the expectation", () => {
    expect(() => decodePayload(b64u(payloadBytes({ flags: 0, chainId: [0x80, 0x00] })))).toThrow(
      /varint at byte 2 is not minimally encoded in chainId/,
    );
    expect(() => decodePayload(b64u(full(49)))).toThrow(/49 proof nodes, at most 48 expected/);
  });
});
