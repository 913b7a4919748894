import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { normaliseKey } from "../../lib/keys/normaliseKey.js";
import { encodeKeyBytes } from "../../lib/keys/encodeKeyBytes.js";
import { KeyFormatError } from "../../lib/keys/errors.js";

describe("normaliseKey: what a person types matches what the supplier sealed", () => {
  const table: [string, string, boolean, string][] = [
    ["plain", "J4H9DU7794G9DPM", false, "J4H9DU7794G9DPM"],
    ["dashes", "J4H9D-U7794-G9DPM", false, "J4H9DU7794G9DPM"],
    ["spaces between groups", "J4H9D U7794 G9DPM", false, "J4H9DU7794G9DPM"],
    ["tabs, newline, trailing space", "\tJ4H9D\nU7794 G9DPM  ", false, "J4H9DU7794G9DPM"],
    ["underscores", "J4H9D_U7794_G9DPM", false, "J4H9DU7794G9DPM"],
    ["middle dot", "J4H9D·U7794·G9DPM", false, "J4H9DU7794G9DPM"],
    ["katakana middle dot and full-width hyphen", "J4H9D・U7794－G9DPM", false, "J4H9DU7794G9DPM"],
    ["em dash (Chinese IME)", "J4H9D——U7794", false, "J4H9DU7794"],
    ["full-width digits", "１２３４５６７８", false, "12345678"],
    ["full-width letters, case-insensitive", "ａｂｃＤＥＦ", true, "ABCDEF"],
    ["full-width letters keep case when case-sensitive", "ａｂｃＤＥＦ", false, "abcDEF"],
    ["ideographic space", "1234　5678", false, "12345678"],
    ["no-break and zero-width spaces", "1234\u00a05678\u200b90", false, "1234567890"],
    ["lower case upper-cased when case-insensitive", "fy6spsc3lkr2", true, "FY6SPSC3LKR2"],
    ["lower case kept when case-sensitive", "fy6spsc3lkr2", false, "fy6spsc3lkr2"],
    ["only ASCII a-z folded (no Unicode case mapping)", "straße", true, "STRAßE"],
    ["Chinese characters kept", "兑换码-ABC", true, "兑换码ABC"],
    ["circled digits (NFKC compatibility)", "①②③", false, "123"],
    ["combining mark joined after a separator is removed", "e-\u0301", false, "\u00e9"],
    ["case rule after composing: only ASCII a-z changes", "e-\u0301x", true, "\u00e9X"],
  ];
  it.each(table)("%s", (_name, input, caseInsensitive, expected) => {
    expect(normaliseKey({ pin: input }, { caseInsensitive }).pin).toBe(expected);
  });

  it("serial and PIN both normalised; an empty serial is dropped", () => {
    expect(normaliseKey({ serial: "5260 1815-9083 01661", pin: "３１８６ ０９１３" })).toEqual({
      serial: "52601815908301661",
      pin: "31860913",
    });
    expect(normaliseKey({ serial: " - ", pin: "ABC" })).toEqual({ pin: "ABC" });
    expect(normaliseKey({ serial: "", pin: "ABC" })).toEqual({ pin: "ABC" });
  });

  it("is idempotent", () => {
    for (const [, input, ci] of table) {
      const once = normaliseKey({ pin: input }, { caseInsensitive: ci });
      expect(normaliseKey(once, { caseInsensitive: ci })).toEqual(once);
    }
  });

  it("refuses empty PINs, control characters and U+FFFD, naming the problem", () => {
    expect(() => normaliseKey({ pin: " - " })).toThrow(KeyFormatError);
    expect(() => normaliseKey({ pin: "" })).toThrow(/PIN is empty/);
    expect(() => normaliseKey({ pin: "AB\u0000CD" })).toThrow(/control character U\+0000/);
    expect(() => normaliseKey({ pin: "AB\u001fCD" })).toThrow(/control character U\+001F/);
    expect(() => normaliseKey({ pin: "卡\u001f密" })).toThrow(/control character U\+001F/);
    expect(() => normaliseKey({ pin: "AB\ufffdCD" })).toThrow(/U\+FFFD/);
    expect(() => normaliseKey({ pin: "AB\ud800" })).toThrow(/surrogate/);
  });

  it("encodeKeyBytes: UTF-8 of serial U+001F pin, or pin alone", () => {
    expect([...encodeKeyBytes({ pin: "AB" })]).toEqual([65, 66]);
    expect([...encodeKeyBytes({ serial: "1", pin: "AB" })]).toEqual([49, 31, 65, 66]);
    expect([...encodeKeyBytes({ serial: "卡", pin: "A" })]).toEqual([0xe5, 0x8d, 0xa1, 31, 65]);
    expect(() => encodeKeyBytes({ pin: "" })).toThrow(KeyFormatError);
    expect(() => encodeKeyBytes({ serial: "1\u001f2", pin: "A" })).toThrow(/U\+001F/);
  });

  it("property: idempotent on any string (5,000 runs per case rule)", () => {
    for (const caseInsensitive of [false, true]) {
      fc.assert(
        fc.property(fc.string({ unit: "binary", maxLength: 40 }), (pin) => {
          let once;
          try {
            once = normaliseKey({ pin }, { caseInsensitive });
          } catch (e) {
            return e instanceof KeyFormatError;
          }
          expect(normaliseKey(once, { caseInsensitive })).toEqual(once);
          return true;
        }),
        { numRuns: 5_000 },
      );
    }
  });

  it("property: a key typed with full-width characters, lower case, spaces and dashes matches the sealed key (5,000 runs)", () => {
    const ALPHA = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
    const typedChar = fc.record({
      c: fc.constantFrom(...ALPHA),
      fullWidth: fc.boolean(),
      lower: fc.boolean(),
      sep: fc.constantFrom("", "", "", " ", "-", "－", "　", "·", "—", "_"),
    });
    fc.assert(
      fc.property(fc.array(typedChar, { minLength: 1, maxLength: 30 }), (chars) => {
        const sealed = chars.map((x) => x.c).join("");
        const typed = chars
          .map(({ c, fullWidth, lower, sep }) => {
            const ch = lower ? c.toLowerCase() : c;
            return (fullWidth ? String.fromCharCode(ch.charCodeAt(0) + 0xfee0) : ch) + sep;
          })
          .join("");
        expect(normaliseKey({ pin: typed }, { caseInsensitive: true })).toEqual(
          normaliseKey({ pin: sealed }, { caseInsensitive: true }),
        );
      }),
      { numRuns: 5_000 },
    );
  });
});
