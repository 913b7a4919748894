/**
 * The verdict card's money and date formats: Intl in the page's language, the currency's own minor unit,
 * and a readable fallback for what Intl cannot format (chain-sourced values are untrusted).
 */
import { describe, expect, it } from "vitest";
import { formatDateLocale, formatMoneyLocale } from "../../portal/src/lib/format.js";

describe("formatMoneyLocale", () => {
  it("formats minor units with the currency's digits, per locale", () => {
    expect(formatMoneyLocale("10000", "CNY", "zh-CN")).toBe("¥100.00");
    expect(formatMoneyLocale("10000", "CNY", "en")).toBe("CN¥100.00");
    expect(formatMoneyLocale("4900", "USD", "en")).toBe("$49.00");
    // The yen has no minor unit: 500 minor units are 500 yen.
    expect(formatMoneyLocale("500", "JPY", "en")).toBe("¥500");
    expect(formatMoneyLocale("123456789", "EUR", "en")).toBe("€1,234,567.89");
  });

  it("falls back to the plain form for values Intl cannot take, without breaking on hostile text", () => {
    expect(formatMoneyLocale("10000", "cny", "en")).toBe("100.00 cny");
    expect(formatMoneyLocale("1".repeat(20), "CNY", "en")).toBe(`${"1".repeat(18)}.11 CNY`);
    expect(formatMoneyLocale("12abc", "CNY", "en")).toBe("12abc CNY");
    expect(formatMoneyLocale("100", "C\u202eNY", "en")).toBe("1.00 CNY");
  });
});

describe("formatDateLocale", () => {
  it("formats a date per locale, 0 as the fallback", () => {
    const t = Date.UTC(2027, 0, 15, 12) / 1000;
    expect(formatDateLocale(t, "zh-CN")).toBe("2027年1月15日");
    expect(formatDateLocale(t, "en")).toBe("January 15, 2027");
    expect(formatDateLocale(0, "en", false, "no expiry")).toBe("no expiry");
    expect(formatDateLocale(Number.NaN, "en")).toBe("—");
  });
});
