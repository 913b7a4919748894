import { describe, expect, it } from "vitest";
import { assessNameConfusability, nameSkeleton } from "../../lib/text/assessNameConfusability.js";
import { sanitiseDisplayText } from "../../lib/text/sanitiseDisplayText.js";

/** The sanitiser's table: input, what is displayed, which code points were removed. */
const TABLE: [name: string, input: string, text: string, removed: string[]][] = [
  ["right-to-left override", "Shop\u202Egnp.exe", "Shopgnp.exe", ["U+202E"]],
  ["left-to-right / right-to-left marks", "A\u200EB\u200FC", "ABC", ["U+200E", "U+200F"]],
  ["Arabic letter mark", "x\u061Cy", "xy", ["U+061C"]],
  ["isolates", "\u2066a\u2067b\u2068c\u2069", "abc", ["U+2066", "U+2067", "U+2068", "U+2069"]],
  ["zero-width space / joiners", "Ten\u200Bcent\u200C\u200D", "Tencent", ["U+200B", "U+200C", "U+200D"]],
  ["byte-order mark and word joiner", "\uFEFFa\u2060b", "ab", ["U+FEFF", "U+2060"]],
  ["soft hyphen", "ca\u00ADrd", "card", ["U+00AD"]],
  ["line and paragraph separators", "a\u2028b\u2029c", "a b c", []],
  ["newlines and tabs", "a\r\n\tb", "a b", []],
  ["C0 and C1 controls", "a\u0000b\u001Bc\u0085d\u009Be", "abc de", ["U+0000", "U+001B", "U+009B"]],
  ["tag characters", "a\u{E0041}\u{E007F}b", "ab", ["U+E0041", "U+E007F"]],
  ["lone surrogate", "a\uD800b", "a\uFFFDb", []],
  ["Chinese name untouched", "深圳卡盟科技有限公司", "深圳卡盟科技有限公司", []],
  ["NFC", "Cafe\u0301", "Café", []],
];

describe("sanitiseDisplayText", () => {
  it.each(TABLE)("%s", (_name, input, text, removed) => {
    const r = sanitiseDisplayText(input);
    expect(r.text).toBe(text);
    expect(r.removed).toEqual(removed);
    expect(r.truncated).toBe(false);
  });

  it("caps length in grapheme clusters with an ellipsis (a 10 KB URI is one short line)", () => {
    const r = sanitiseDisplayText(`https://x.example/${"a".repeat(10_000)}`, { maxLength: 80 });
    expect(r.truncated).toBe(true);
    expect([...new Intl.Segmenter().segment(r.text)].length).toBe(80);
    expect(r.text.endsWith("…")).toBe(true);
    // Emoji with modifiers are never cut in half.
    const family = "👨‍👩‍👧".repeat(10);
    const f = sanitiseDisplayText(family, { maxLength: 4 });
    expect(f.text).toBe("👨‍👩‍👧👨‍👩‍👧👨‍👩‍👧…");
  });

  it("shows removed characters visibly when asked (audit reports)", () => {
    expect(sanitiseDisplayText("a\u202Eb", { showRemoved: true }).text).toBe("a⟨U+202E⟩b");
  });

  it("never throws, whatever it gets", () => {
    for (const x of [undefined, null, 42, {}, "\uDFFF", "\u202E".repeat(5000)]) {
      expect(() => sanitiseDisplayText(x)).not.toThrow();
    }
    expect(sanitiseDisplayText(undefined).text).toBe("");
  });
});

describe("assessNameConfusability", () => {
  it("flags a Latin word with one Cyrillic letter, and the registered name it imitates", () => {
    const w = assessNameConfusability("\u0422encent Card", ["Tencent Card", "Other Co"]);
    expect(w.map((x) => x.kind)).toEqual(["mixed-script", "imitates"]);
    expect(w[1]).toEqual({ kind: "imitates", other: "Tencent Card" });
  });

  it("allows Latin with Han (QQ卡盟) and plain names", () => {
    expect(assessNameConfusability("QQ卡盟 Keys", ["Tencent Card"])).toEqual([]);
    expect(assessNameConfusability("深圳卡盟科技有限公司", ["深圳卡盟科技"])).toEqual([]);
    expect(assessNameConfusability("Tencent Card", ["Tencent Card"])).toEqual([]);
  });

  it("sees through invisible characters, full-width forms, rn/m and I/l", () => {
    expect(nameSkeleton("Ten\u200Bcent")).toBe(nameSkeleton("Tencent"));
    expect(nameSkeleton("Ｔｅｎｃｅｎｔ")).toBe(nameSkeleton("Tencent"));
    expect(nameSkeleton("Arnazon")).toBe(nameSkeleton("Amazon"));
    expect(nameSkeleton("PAYPAI")).toBe(nameSkeleton("PAYPAl"));
    expect(assessNameConfusability("Ten\u200Bcent", ["Tencent"])).toEqual([]);
    expect(assessNameConfusability("Arnazon Keys", ["Amazon Keys"])).toEqual([
      { kind: "imitates", other: "Amazon Keys" },
    ]);
  });
});
