/**
 * Counts redeemed keys inside [start, end) given a batch's redemption words (word w covers
 * [w*256, w*256+256), bit i = index w*256+i).
 *
 * @param words - word index -> mask.
 * @param start - first index.
 * @param end - end index (exclusive).
 * @returns the number of redeemed keys in the range.
 * @example
 * countRedeemed(new Map([[0, 0b111n]]), 1, 300) // 2
 */
export function countRedeemed(words: ReadonlyMap<number, bigint>, start: number, end: number): number {
  if (!words.size || start >= end) return 0;
  let n = 0;
  const w0 = Math.floor(start / 256);
  const w1 = Math.floor((end - 1) / 256);
  if (w1 - w0 + 1 > words.size) {
    for (const [w, m] of words) if (w >= w0 && w <= w1) n += bitsIn(m, w, start, end);
  } else {
    for (let w = w0; w <= w1; w++) {
      const m = words.get(w);
      if (m) n += bitsIn(m, w, start, end);
    }
  }
  return n;
}

function bitsIn(mask: bigint, w: number, start: number, end: number): number {
  const lo = Math.max(0, start - w * 256);
  const hi = Math.min(256, end - w * 256);
  let m = mask >> BigInt(lo);
  if (hi - lo < 256) m &= (1n << BigInt(hi - lo)) - 1n;
  let c = 0;
  while (m) {
    m &= m - 1n;
    c++;
  }
  return c;
}
