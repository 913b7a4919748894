import { stringToHex, toHex, zeroHash, type Hex } from "viem";
import { CliUsageError } from "../errors.js";
import { parseFaceValue } from "../parse/parseFaceValue.js";
import type { SaleContextFields } from "./saleTypes.js";

/** The texts a sale context is given as (flags, or an orders file's columns). */
export type SaleContextInput = { amount?: string; currency?: string; store?: string; terminal?: string };

/** A store or terminal name: its UTF-8 bytes right-padded to 32 (readable on chain), or zero when empty. */
function name32(text: string | undefined, what: string): Hex {
  const t = (text ?? "").trim();
  if (!t) return zeroHash;
  if (new TextEncoder().encode(t).length > 32)
    throw new CliUsageError(`${what} ${JSON.stringify(t)} is longer than 32 bytes (UTF-8).`);
  return stringToHex(t, { size: 32 });
}

/**
 * Parses a sale's context: amount in the currency's major unit (e.g. 49.90, stored in minor units),
 * a three-letter ISO 4217 currency (needed with an amount), store and terminal names (up to 32 bytes each).
 *
 * @param input - the texts.
 * @param where - prefix for errors (e.g. "orders.csv line 4: ").
 * @returns the SaleContext fields.
 * @example
 * parseSaleContext({ amount: "49.90", currency: "CNY", store: "Shop 12" }, "")
 */
export function parseSaleContext(input: SaleContextInput, where: string): SaleContextFields {
  const cur = (input.currency ?? "").trim().toUpperCase();
  const amountText = (input.amount ?? "").trim();
  try {
    if (cur && !/^[A-Z]{3}$/.test(cur))
      throw new CliUsageError(`currency ${JSON.stringify(input.currency)} is not a three-letter ISO 4217 code.`);
    if (amountText && !cur) throw new CliUsageError(`amount ${JSON.stringify(amountText)} needs a currency.`);
    return {
      store: name32(input.store, "store"),
      terminal: name32(input.terminal, "terminal"),
      amount: amountText ? parseFaceValue(amountText, cur) : 0n,
      currency: cur ? toHex(cur, { size: 3 }) : "0x000000",
    };
  } catch (e) {
    if (e instanceof CliUsageError) throw new CliUsageError(`${where}${e.shortMessage.replace(/^--face /, "amount ")}`);
    throw e;
  }
}
