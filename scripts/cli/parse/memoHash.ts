import { keccak256, toHex, zeroHash, type Hex } from "viem";

/**
 * The on-chain memo of a transfer: keccak256 of the UTF-8 text (an order number, an invoice
 * reference); the text itself stays off chain. Empty text gives the zero hash.
 *
 * @param text - the memo text.
 * @returns bytes32.
 * @example
 * memoHash("PO-2026-1182")
 */
export function memoHash(text: string | undefined): Hex {
  return text ? keccak256(toHex(text)) : zeroHash;
}
