import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import vectors from "../fixtures/vectors.json" with { type: "json" };
import { decodePayload } from "../../lib/payload/decodePayload.js";
import { digitalLinkSerial } from "../../lib/payload/digitalLinkSerial.js";
import { digitalLinkUrl } from "../../lib/payload/digitalLinkUrl.js";
import { encodePayload } from "../../lib/payload/encodePayload.js";
import { parsePayloadInput } from "../../lib/payload/parsePayloadInput.js";
import { splitDigitalLinkPath } from "../../lib/payload/splitDigitalLinkPath.js";
import { verifyPayload } from "../../lib/verify/verifyPayload.js";
import type { PayloadFields } from "../../lib/schemas/payload.js";
import { fill, LEDGER } from "./helpers.js";

// The GS1 Digital Link reference checker (CommonJS, no types).
const require = createRequire(import.meta.url);
const { DigitalLink } = require("digital-link.js") as { DigitalLink: (url: string) => { isValid(): boolean } };
/** digital-link.js on a link without its fragment (the part a GS1 tool sees). */
const gs1Valid = (link: string): boolean => {
  const url = link.split("#")[0]!;
  try {
    return DigitalLink(url).isValid();
  } catch {
    return false;
  }
};

const BASE = "https://verify.example";
const GTIN = "09506000134352";
const fields = (gs1: PayloadFields["gs1"], extra: Partial<PayloadFields> = {}): PayloadFields => ({
  form: "short",
  chainId: 31337,
  ledger: LEDGER,
  batchId: fill(0xb1),
  index: 7,
  salt: fill(0x5a),
  ...(gs1 ? { gs1 } : {}),
  ...extra,
});
const payloadOf = (serial: string, extra: Partial<PayloadFields> = {}) =>
  encodePayload(fields({ gtin: GTIN, serial }, extra));

describe("GS1 Digital Link links", () => {
  it("vectors: the link carries the payload's GTIN and serial in its path and the payload in its fragment", () => {
    for (const v of vectors.digitalLinks) {
      expect(digitalLinkUrl("https://verify.keytrail.example/", v.payload)).toBe(v.url);
      expect(encodePayload(v.fields as PayloadFields)).toBe(v.payload);
      expect(gs1Valid(v.url)).toBe(true);
      expect(parsePayloadInput(v.url)).toEqual({
        payload: v.payload,
        portalBase: "https://verify.keytrail.example",
        digitalLink: { gtin: "09506000134352", serial: "4dab528a.2" },
      });
    }
  });

  it("the serial is the batch id's first 8 hex digits, a dot and the index, within AI 21's 20 characters", () => {
    expect(digitalLinkSerial(vectors.batch.batchId, 2)).toBe("4dab528a.2");
    expect(digitalLinkSerial(vectors.batch.batchId, 99_999_999_999)).toHaveLength(20);
    expect(() => digitalLinkSerial(vectors.batch.batchId, 100_000_000_000)).toThrow(/0 to 99999999999/);
    expect(() => digitalLinkSerial("0x12", 1)).toThrow(/batchId "0x12"/);
  });

  it("parses the English page, a path prefix and GTIN-13 paths; the portal base is what precedes /01/", () => {
    const p = payloadOf("A7");
    expect(parsePayloadInput(`${BASE}/en/01/${GTIN}/21/A7#${p}`).portalBase).toBe(BASE);
    expect(parsePayloadInput(`${BASE}/keytrail/01/${GTIN}/21/A7#${p}`).portalBase).toBe(`${BASE}/keytrail`);
    expect(parsePayloadInput(`${BASE}/01/${GTIN.slice(1)}/21/A7#${p}`).digitalLink).toEqual({
      gtin: GTIN,
      serial: "A7",
    });
    // what a phone's address bar shows after a scan, wrapped in an e-mail
    expect(parsePayloadInput(`${BASE}/01/${GTIN}/21/A7\n#${p.slice(0, 40)}\n${p.slice(40)}`).payload).toBe(p);
    // plain /v/ links keep working
    expect(parsePayloadInput(`${BASE}/v/#${p}`)).toEqual({ payload: p, portalBase: BASE });
  });

  it("every link digitalLinkUrl makes for serials of GS1 character set 82 validates and parses back (fast-check)", () => {
    // set 82 less the double quote: digital-link.js refuses its escape %22 (and accepts it raw, which is no URI
    // character); KeyTrail's own serials are hex digits, a dot and digits
    const cset82 = `!%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`;
    let checked = 0;
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...cset82), minLength: 1, maxLength: 20 }),
        fc.option(fc.string({ unit: fc.constantFrom(...cset82), minLength: 1, maxLength: 20 }), { nil: undefined }),
        (serial, lot) => {
          const payload = encodePayload(fields({ gtin: GTIN, serial, ...(lot !== undefined ? { lot } : {}) }));
          const link = digitalLinkUrl(BASE, payload);
          expect(gs1Valid(link), link).toBe(true);
          const r = parsePayloadInput(link);
          expect(r.payload).toBe(payload);
          expect(r.digitalLink).toEqual({ gtin: GTIN, serial, ...(lot !== undefined ? { lot } : {}) });
          checked++;
        },
      ),
      { numRuns: 500 },
    );
    expect(checked).toBe(500);
  });

  it("refuses invalid Digital Link paths (LINK), each one digital-link.js refuses too", () => {
    const p = payloadOf("A7");
    const bad = [
      [`${BASE}/01/09506000134353/21/A7`, /wrong check digit/],
      [`${BASE}/01/950600013435/21/A7`, /wrong check digit/],
      [`${BASE}/01/0950600013435X/21/A7`, /not a GTIN/],
      [`${BASE}/01/${GTIN}/21/%C3%A9`, /character set 82/],
      [`${BASE}/01/${GTIN}/21/A%2`, /percent-encoded, or a bad %-escape/],
      [`${BASE}/01/${GTIN}/21/A!7`, /must be percent-encoded/],
      [`${BASE}/01/${GTIN}/21/A:7`, /must be percent-encoded/],
      [`${BASE}/01/${GTIN}/21/${"S".repeat(21)}`, /1-20 characters/],
      [`${BASE}/01/${GTIN}/21/A7/10/L1`, /out of order/],
      [`${BASE}/01/${GTIN}/21`, /does not alternate/],
    ] as const;
    for (const [url, why] of bad) {
      expect(gs1Valid(url), `digital-link.js on ${url}`).toBe(false);
      let error: unknown;
      try {
        parsePayloadInput(`${url}#${p}`);
      } catch (e) {
        error = e;
      }
      expect(error, url).toMatchObject({ code: "LINK" });
      expect((error as Error).message, url).toMatch(why);
      expect((error as Error).message).toContain("is not a valid GS1 Digital Link");
    }
  });

  it("refuses a path whose GTIN, lot or serial differ from the payload's (LINK_MISMATCH), and never verifies it", async () => {
    const p = payloadOf("A7");
    const cases = [
      `${BASE}/01/${GTIN}/21/A8#${p}`,
      `${BASE}/01/00000000000017/21/A7#${p}`,
      `${BASE}/01/${GTIN}/10/L1/21/A7#${p}`,
      `${BASE}/01/${GTIN}#${p}`,
      `${BASE}/01/${GTIN}/21/A7#${encodePayload(fields(undefined))}`,
    ];
    for (const link of cases) {
      expect(() => parsePayloadInput(link), link).toThrow(/link path and payload disagree/);
      const r = await verifyPayload(link, {
        fetchStatus: () => Promise.reject(new Error("the status must not be read for a link that contradicts itself")),
      });
      expect(r.verdict, link).toBe("malformed");
      expect(r.verdict === "malformed" && r.code).toBe("LINK_MISMATCH");
    }
  });

  it("GS1 expiry must be a real date: 270230, 270229 and 270431 refused, 280229 and DD 00 accepted", () => {
    for (const expiry of ["270230", "270229", "270431", "270631", "271131", "270000", "271300"]) {
      expect(() => encodePayload(fields({ gtin: GTIN, expiry })), expiry).toThrow(/a real YYMMDD date/);
      // the same bytes built by hand: the decoder refuses them too
      const good = encodePayload(fields({ gtin: GTIN, expiry: "271231" }));
      const bytes = Buffer.from(good, "base64url");
      bytes.set([Number(expiry.slice(0, 2)), Number(expiry.slice(2, 4)), Number(expiry.slice(4, 6))], bytes.length - 3);
      expect(() => decodePayload(bytes.toString("base64url")), expiry).toThrow(
        expect.objectContaining({ code: "EXPIRY", message: expect.stringMatching(/not a YYMMDD date/) }),
      );
    }
    for (const expiry of ["280229", "270228", "270200", "270430", "271231", "000229"])
      expect(decodePayload(encodePayload(fields({ gtin: GTIN, expiry }))).gs1?.expiry).toBe(expiry);
  });

  it("splitDigitalLinkPath: none for other links; the identifiers for a Digital Link", () => {
    expect(splitDigitalLinkPath(`${BASE}/v/`)).toBeUndefined();
    expect(splitDigitalLinkPath(`${BASE}/01/${GTIN}/10/L%2F1/21/A7`)).toEqual({
      prefix: BASE,
      path: { gtin: GTIN, lot: "L/1", serial: "A7" },
    });
    // stricter than digital-link.js, which accepts these: no query (the payload holds the attributes), no trailing
    // slash (a serial "v" must not turn the link into a plain /v/ link whose path goes unchecked)
    expect(() => splitDigitalLinkPath(`${BASE}/01/${GTIN}/21/A7?17=271231`)).toThrow(/no query string/);
    expect(() => parsePayloadInput(`${BASE}/01/${GTIN}/21/v/#${payloadOf("v")}`)).toThrow(/does not alternate/);
    expect(parsePayloadInput(`${BASE}/01/${GTIN}/21/v#${payloadOf("v")}`).digitalLink?.serial).toBe("v");
    expect(() => splitDigitalLinkPath(`${BASE}/01/${GTIN}/99/A7`)).toThrow(/not a key qualifier/);
  });
});
