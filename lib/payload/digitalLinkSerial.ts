import { PayloadError } from "./errors.js";

/** Largest key index whose Digital Link serial fits AI 21's 20 characters (8 + "." + 11 digits). */
export const DIGITAL_LINK_INDEX_LIMIT = 100_000_000_000;

/**
 * The GS1 serial (AI 21) KeyTrail gives key `index` of a batch in its Digital Link: the first 8 hex digits of the
 * batch id, a dot, and the index (`4dab528a.2`). It is public, in GS1 character set 82, at most 20 characters,
 * and unique per GTIN across batches in practice (32 bits of the batch id); it reveals nothing about the key.
 *
 * @param batchId The batch id (0x + 64 hex digits).
 * @param index The key index, below 10^11.
 * @returns The serial.
 * @throws {PayloadError} `FIELD` for a malformed batch id or an index out of range.
 *
 * @example
 * digitalLinkSerial("0x4dab528a6ca276456d430a90630be8bfc7ac973af9d906f30fc4200bf529120c", 2) // "4dab528a.2"
 */
export function digitalLinkSerial(batchId: string, index: number): string {
  if (typeof batchId !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(batchId))
    throw new PayloadError("FIELD", `batchId ${JSON.stringify(batchId)}: expected 0x + 64 hex digits.`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= DIGITAL_LINK_INDEX_LIMIT)
    throw new PayloadError(
      "FIELD",
      `index ${JSON.stringify(index)}: a Digital Link serial holds indices from 0 to ${DIGITAL_LINK_INDEX_LIMIT - 1}.`,
    );
  return `${batchId.slice(2, 10).toLowerCase()}.${index}`;
}
