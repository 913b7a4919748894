/** One 256-key word of a redemption: bit i of `mask` is index wordIndex*256+i. */
export type PackedWord = { wordIndex: bigint; mask: bigint; lowest: bigint };

/**
 * Packs sorted key indices into the contract's 256-key bitmap words.
 *
 * @param indices - key indices, sorted ascending, no duplicates.
 * @returns the words in ascending order, with the lowest index of each (for its hint).
 * @example
 * packRedeemWords([0n, 1n, 300n]) // [{ wordIndex: 0n, mask: 3n, lowest: 0n }, { wordIndex: 1n, mask: 1n << 44n, lowest: 300n }]
 */
export function packRedeemWords(indices: readonly bigint[]): PackedWord[] {
  const words: PackedWord[] = [];
  let cur: PackedWord | undefined;
  for (const i of indices) {
    const w = i >> 8n;
    if (!cur || cur.wordIndex !== w) {
      cur = { wordIndex: w, mask: 0n, lowest: i };
      words.push(cur);
    }
    cur.mask |= 1n << (i & 255n);
  }
  return words;
}
