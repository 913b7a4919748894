import { sanitiseDisplayText } from "../../../lib/text/sanitiseDisplayText.ts";

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
