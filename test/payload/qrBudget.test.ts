import { describe, expect, it } from "vitest";
import QRCode from "qrcode";
import jsQRModule from "jsqr";
import type { Hex } from "viem";
import { encodePayload } from "../../lib/payload/encodePayload.js";
import { payloadUrl } from "../../lib/payload/payloadUrl.js";
import { parsePayloadInput } from "../../lib/payload/parsePayloadInput.js";
import { decodePayload } from "../../lib/payload/decodePayload.js";
import { LEDGER, RECEIPT, SELLER, fill } from "./helpers.js";

type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
/** jsqr is CommonJS with `exports.default`; under NodeNext the default import is the module object. */
const jsQR: JsQr = ((jsQRModule as unknown as { default?: JsQr }).default ?? jsQRModule) as unknown as JsQr;

const PORTAL = "https://verify.keytrail.example";
const base = { ledger: LEDGER, batchId: fill(0xb1), salt: fill(0x5a) } as const;
/** Depth of a 1M-key tree: ceil(log2(1,000,000)) = 20. */
const proof20 = Array.from({ length: 20 }, (_, i) => fill(0x10 + i)) as Hex[];

const versionOf = (url: string) => QRCode.create(url, { errorCorrectionLevel: "M" }).version;

/** Renders the QR code's modules to RGBA (4 px per module, quiet zone 4) and reads it back with jsQR. */
function roundTripQr(url: string): string | undefined {
  const qr = QRCode.create(url, { errorCorrectionLevel: "M" });
  const n = qr.modules.size;
  const scale = 4;
  const size = (n + 8) * scale;
  const rgba = new Uint8ClampedArray(size * size * 4).fill(255);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++)
      if (qr.modules.get(y, x))
        for (let dy = 0; dy < scale; dy++)
          for (let dx = 0; dx < scale; dx++) {
            const o = (((y + 4) * scale + dy) * size + (x + 4) * scale + dx) * 4;
            rgba[o] = rgba[o + 1] = rgba[o + 2] = 0;
          }
  return jsQR(rgba, size, size)?.data;
}

/** The portal link of a full-form code for key 999,999 of a 1M-key batch, sold by SELLER. */
const millionthKeyUrl = (
  extra: { gs1?: { gtin: string; lot: string; serial: string; expiry: string }; receiptSecret?: Hex } = {},
) =>
  payloadUrl(
    PORTAL,
    encodePayload({
      ...base,
      form: "full",
      chainId: 42161,
      index: 999_999,
      commitment: fill(3),
      proof: proof20,
      seller: SELLER,
      ...extra,
    }),
  );

describe("QR size budget", () => {
  it("full form of a 1M-key batch (depth 20, index 999,999) with a seller fits QR version 27 at level M", () => {
    const url = millionthKeyUrl();
    expect(url.length).toBeLessThanOrEqual(1_100);
    expect(versionOf(url)).toBeLessThanOrEqual(27);
    expect(roundTripQr(url)).toBe(url);
    expect(decodePayload(parsePayloadInput(url).payload).proof).toEqual(proof20);
  });

  it("full form with GS1 identifiers as well stays within version 27 at level M", () => {
    const url = millionthKeyUrl({ gs1: { gtin: "09506000134352", lot: "L2026-11", serial: "A7", expiry: "271231" } });
    expect(versionOf(url)).toBeLessThanOrEqual(27);
  });

  it("short form is at most 200 characters (also with a seller) and reads back from a small QR", () => {
    const url = payloadUrl(PORTAL, encodePayload({ ...base, form: "short", chainId: 42161, index: 999_999 }));
    expect(url.length).toBeLessThanOrEqual(200);
    expect(
      payloadUrl(PORTAL, encodePayload({ ...base, form: "short", chainId: 42161, index: 999_999, seller: SELLER }))
        .length,
    ).toBeLessThanOrEqual(200);
    expect(versionOf(url)).toBeLessThanOrEqual(10);
    expect(roundTripQr(url)).toBe(url);
  });

  it("full form with a receipt secret (version 2), a seller and GS1 identifiers stays within version 27 at level M", () => {
    const url = millionthKeyUrl({ receiptSecret: RECEIPT });
    expect(versionOf(url)).toBeLessThanOrEqual(27);
    expect(roundTripQr(url)).toBe(url);
    expect(decodePayload(parsePayloadInput(url).payload).receiptSecret).toBe(RECEIPT);
    const gs1 = { gtin: "09506000134352", lot: "L2026-11", serial: "A7", expiry: "271231" };
    expect(versionOf(millionthKeyUrl({ receiptSecret: RECEIPT, gs1 }))).toBeLessThanOrEqual(27);
  });

  it("short form with a receipt secret and a seller is at most 220 characters and reads back", () => {
    const url = payloadUrl(
      PORTAL,
      encodePayload({ ...base, form: "short", chainId: 42161, index: 999_999, seller: SELLER, receiptSecret: RECEIPT }),
    );
    expect(url.length).toBeLessThanOrEqual(220);
    expect(versionOf(url)).toBeLessThanOrEqual(10);
    expect(roundTripQr(url)).toBe(url);
    expect(decodePayload(parsePayloadInput(url).payload).receiptSecret).toBe(RECEIPT);
  });
});
