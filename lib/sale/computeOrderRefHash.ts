import { concat, keccak256, stringToHex } from "viem";
import type { Hex } from "viem";
import { ORDER_REF_TAG } from "./constants.js";
import { checkSecret } from "./computeReceiptCommitment.js";
import { SaleInputError } from "./errors.js";

/** Longest order reference accepted (UTF-8 characters after trimming). */
export const MAX_ORDER_REF_CHARS = 128;

/**
 * The order-reference hash recorded on chain by `sell` and quoted by `refund`:
 * `keccak256("keytrail-order-v1" ‖ secret (16) ‖ UTF-8 of the NFC-normalised, trimmed reference)`.
 * Keyed by the receipt secret, so an order number (often guessable) cannot be recovered from the
 * chain by anyone but the seller and the buyer, who hold the secret.
 *
 * @param parameters.orderReference - the platform's order number, as typed (trimmed, NFC).
 * @param parameters.secret - the key's receipt secret.
 * @returns the 32-byte hash.
 * @example
 * const orderRef = computeOrderRefHash({ orderReference: "TB-2026-000123", secret });
 */
export function computeOrderRefHash(parameters: { orderReference: string; secret: Hex }): Hex {
  checkSecret(parameters.secret);
  const ref = parameters.orderReference.normalize("NFC").trim();
  if (ref.length === 0) throw new SaleInputError("Invalid order reference: it is empty.");
  if ([...ref].length > MAX_ORDER_REF_CHARS) {
    throw new SaleInputError(
      `Invalid order reference (${[...ref].length} characters): at most ${MAX_ORDER_REF_CHARS} are accepted.`,
    );
  }
  return keccak256(concat([stringToHex(ORDER_REF_TAG), parameters.secret, stringToHex(ref)]));
}
