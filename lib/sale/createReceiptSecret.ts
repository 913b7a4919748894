import { bytesToHex } from "viem";
import type { Hex } from "viem";
import { RECEIPT_SECRET_BYTES } from "./constants.js";

/**
 * A fresh receipt secret: 16 bytes from the platform's CSPRNG (`crypto.getRandomValues`). It goes
 * only into the buyer's link; the chain sees its commitment. Never log it.
 *
 * @returns `0x` and 32 hex digits.
 * @example
 * const secret = createReceiptSecret();
 */
export function createReceiptSecret(): Hex {
  return bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(RECEIPT_SECRET_BYTES)));
}
