import type { Hex } from "viem";

/** GS1 mod-10 check digit of a GTIN's first 13 digits (of a 14-digit GTIN). */
function checkDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const d = body.charCodeAt(body.length - 1 - i) - 48;
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return (10 - (sum % 10)) % 10;
}

/** Whether 14 digits form a GTIN-14 with a valid check digit. */
export const isValidGtin14 = (gtin: string): boolean =>
  /^\d{14}$/.test(gtin) && checkDigit(gtin.slice(0, 13)) === Number(gtin[13]);

/**
 * The GTIN-14 a batch's productId carries, or null when it is a SKU hash. Two encodings of "a
 * GTIN left-padded into bytes32" are recognised, in this order: the GTIN's digits as hex nibbles
 * (0x…06901234567892) and the GTIN as an integer (0x…0623dbc0a3d4). Either must have a valid
 * GS1 check digit.
 *
 * @param productId The batch's bytes32 productId.
 * @returns The 14-digit GTIN, or null.
 * @example
 * gtinFromProductId(`0x${"0".repeat(50)}06901234567892`) // "06901234567892"
 */
export function gtinFromProductId(productId: Hex): string | null {
  const hex = productId.slice(2).toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) return null;
  const trimmed = hex.replace(/^0+/, "");
  if (trimmed.length === 0) return null;
  if (trimmed.length <= 14 && /^\d+$/.test(trimmed)) {
    const g = trimmed.padStart(14, "0");
    if (isValidGtin14(g)) return g;
  }
  const v = BigInt(`0x${hex}`);
  if (v < 10n ** 14n) {
    const g = v.toString().padStart(14, "0");
    if (isValidGtin14(g)) return g;
  }
  return null;
}
