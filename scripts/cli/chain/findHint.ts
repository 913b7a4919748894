/**
 * The best hint for an index: the largest known segment start at or below it (0 always works).
 * Starts beyond the batch's count never match an index inside it, so they are harmless.
 *
 * @param starts - segment starts, sorted ascending (see loadSegmentStarts).
 * @param index - the index the contract will look up.
 * @returns the hint.
 * @example
 * findHint([0n, 100n, 5000n], 4999n) // 100n
 */
export function findHint(starts: readonly bigint[], index: bigint): bigint {
  let lo = 0;
  let hi = starts.length - 1;
  let best = 0n;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = starts[mid]!;
    if (s <= index) {
      best = s;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}
