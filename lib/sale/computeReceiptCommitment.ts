import { concat, isHex, keccak256, numberToHex, size, stringToHex } from "viem";
import type { Hex } from "viem";
import { RECEIPT_SECRET_BYTES, RECEIPT_TAG } from "./constants.js";
import { SaleInputError } from "./errors.js";

/**
 * The buyer-receipt commitment recorded on chain by `sell`:
 * `keccak256("keytrail-receipt-v1" ‖ batchId (32) ‖ index (uint64) ‖ secret (16))`.
 * Binding the key into the hash means one secret never commits two keys, and the commitment of
 * one key says nothing about another's.
 *
 * @param parameters.batchId - the key's batch.
 * @param parameters.index - the key's index in the batch.
 * @param parameters.secret - the 16-byte receipt secret (`0x` + 32 hex digits) only the buyer's link carries.
 * @returns the 32-byte commitment (never zero in practice; the ledger refuses a zero one).
 * @example
 * const commitment = computeReceiptCommitment({ batchId, index: 7, secret: createReceiptSecret() });
 */
export function computeReceiptCommitment(parameters: { batchId: Hex; index: number | bigint; secret: Hex }): Hex {
  const { batchId, index, secret } = parameters;
  if (!isHex(batchId, { strict: true }) || size(batchId) !== 32) {
    throw new SaleInputError(`Invalid batch id ${batchId}: expected 0x and 64 hex digits.`);
  }
  checkSecret(secret);
  const i = BigInt(index);
  if (i < 0n || i >= 2n ** 48n) throw new SaleInputError(`Invalid key index ${index}: expected 0 <= index < 2^48.`);
  return keccak256(concat([stringToHex(RECEIPT_TAG), batchId, numberToHex(i, { size: 8 }), secret]));
}

/** Throws a {@link SaleInputError} unless `secret` is `0x` and 32 hex digits. */
export function checkSecret(secret: Hex): void {
  if (!isHex(secret, { strict: true }) || size(secret) !== RECEIPT_SECRET_BYTES) {
    throw new SaleInputError(
      `Invalid receipt secret (${typeof secret === "string" ? secret.length : typeof secret} characters): ` +
        `expected 0x and ${RECEIPT_SECRET_BYTES * 2} hex digits.`,
    );
  }
}
