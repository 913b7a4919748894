/**
 * A sortable checkpoint of a log's position: block (16 decimal digits) and log index (8 digits),
 * fixed width, so string order is chain order.
 *
 * @param block - block number.
 * @param logIndex - log index within the block.
 * @returns e.g. "000000000000012300000004".
 * @example
 * encodeCheckpoint(123, 4) < encodeCheckpoint(123, 10) // true
 */
export function encodeCheckpoint(block: number, logIndex: number): string {
  return `${String(block).padStart(16, "0")}${String(logIndex).padStart(8, "0")}`;
}
