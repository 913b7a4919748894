/**
 * Formats a half-open on-chain range [start, end) the way people write it: inclusive "start-last".
 *
 * @param start - first index.
 * @param end - one past the last index.
 * @returns e.g. "0-9999" for [0, 10000), "5" for [5, 6).
 * @example
 * formatRange(0n, 10000n) // "0-9999"
 */
export function formatRange(start: bigint | number, end: bigint | number): string {
  const s = BigInt(start);
  const last = BigInt(end) - 1n;
  return last <= s ? String(s) : `${s}-${last}`;
}
