import { sanitiseDisplayText } from "../../../lib/text/sanitiseDisplayText.js";

/** Formatting helpers shared by the pages and the verify script (no data ever becomes markup). */

/** `0x1234…abcd` */
export function shortHex(h: string, head = 6, tail = 4): string {
  return h.length <= head + tail + 1 ? h : `${h.slice(0, head)}…${h.slice(-tail)}`;
}

/** Unix seconds -> `2026-11-22 08:30 UTC` (0 or missing -> fallback). */
export function formatTime(seconds: number | undefined | null, fallback = "—"): string {
  if (!seconds) return fallback;
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) return fallback;
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** Face value in minor units -> "100.00 CNY" (chain-sourced currency and odd amounts are sanitised and capped). */
export function formatMoney(minor: string, currency: string): string {
  currency = sanitiseDisplayText(currency, { maxLength: 16 }).text;
  if (!/^\d+$/.test(minor)) return `${sanitiseDisplayText(minor, { maxLength: 40 }).text} ${currency}`;
  const padded = minor.padStart(3, "0");
  return `${padded.slice(0, -2)}.${padded.slice(-2)} ${currency}`;
}

/** Explorer link for a tx or an address, or undefined when no explorer is configured. */
export function explorerLink(explorerUrl: string, kind: "tx" | "address", value: string): string | undefined {
  if (!explorerUrl || !/^0x[0-9a-fA-F]+$/.test(value)) return undefined;
  return `${explorerUrl}/${kind}/${value}`;
}

/**
 * Money in minor units for a locale with `Intl.NumberFormat` ("¥100.00", "CN¥100.00"), the minor unit
 * being the currency's (ISO 4217 digits as the browser knows them: 2 for CNY, 0 for JPY). A value
 * that is not plain digits, over 15 digits, or a currency code the browser does not know falls back
 * to {@link formatMoney}.
 *
 * @param minor - decimal string of minor units
 * @param currency - ISO 4217 code (chain-sourced: checked before use)
 * @param locale - BCP 47 tag, e.g. "zh-CN"
 * @returns the formatted amount
 * @example
 * formatMoneyLocale("10000", "CNY", "en") // "CN¥100.00"
 */
export function formatMoneyLocale(minor: string, currency: string, locale: string): string {
  if (!/^\d{1,15}$/.test(minor) || !/^[A-Z]{3}$/.test(currency)) return formatMoney(minor, currency);
  try {
    const f = new Intl.NumberFormat(locale, { style: "currency", currency });
    return f.format(Number(minor) / 10 ** (f.resolvedOptions().maximumFractionDigits ?? 2));
  } catch {
    return formatMoney(minor, currency);
  }
}

/**
 * Unix seconds as a date (or date and time) for a locale with `Intl.DateTimeFormat`, in the device's
 * time zone; 0 or an invalid time gives `fallback`.
 *
 * @param seconds - Unix seconds
 * @param locale - BCP 47 tag
 * @param withTime - add hours and minutes
 * @param fallback - text for 0 / missing
 * @returns the formatted date
 * @example
 * formatDateLocale(1798675200, "zh-CN") // "2027年1月1日"
 */
export function formatDateLocale(
  seconds: number | undefined,
  locale: string,
  withTime = false,
  fallback = "—",
): string {
  if (!seconds) return fallback;
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) return fallback;
  return new Intl.DateTimeFormat(
    locale,
    withTime ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "long" },
  ).format(d);
}
