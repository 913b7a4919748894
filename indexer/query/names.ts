import { REVOCATION_REASONS, type FrozenReasonName } from "../../lib/verify/revocationReasons.js";
import { PARTY_KIND_NAMES, type PartyKindName } from "../../lib/parties/partyKinds.js";

/**
 * Word for a revocation reason code (null for 0 = not frozen). KeyLedger v2's reason 6 is
 * "refunded" (set by a sale refund); a code without a word is still frozen ("other").
 */
export function frozenReasonName(code: number): FrozenReasonName | null {
  if (code < 1) return null;
  const word = REVOCATION_REASONS[code] as FrozenReasonName | undefined;
  return word ?? ((code === 6 ? "refunded" : "other") as FrozenReasonName);
}

/** Word for a party kind code. */
export function partyKindName(code: number): PartyKindName {
  const name = PARTY_KIND_NAMES[code];
  return name === undefined || name === "none" ? "retailer" : name;
}

/** bytes3 hex (0x434e59) -> "CNY". */
export function currencyCode(hex: string): string {
  let s = "";
  for (let i = 2; i + 2 <= hex.length; i += 2) {
    const c = Number.parseInt(hex.slice(i, i + 2), 16);
    if (c) s += String.fromCharCode(c);
  }
  return s;
}
