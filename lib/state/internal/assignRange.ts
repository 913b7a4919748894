/** What assignRange needs of a segment: its half-open range (v1 and v2 segments both qualify). */
type Ranged = { start: bigint; end: bigint };

/** Index of the segment containing `x` (segments sorted, contiguous), or -1. */
function findSegment(segments: readonly Ranged[], x: bigint): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = segments[mid]!;
    if (x < s.start) hi = mid - 1;
    else if (x >= s.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** Makes `x` a segment start (as the contract does when a range begins or ends inside a segment); returns its index, or `segments.length` when x is the end. */
function splitAt<S extends Ranged>(segments: S[], x: bigint): number {
  const k = findSegment(segments, x);
  if (k < 0) return segments.length;
  const s = segments[k]!;
  if (s.start === x) return k;
  segments.splice(k, 1, { ...s, end: x }, { ...s, start: x });
  return k + 1;
}

/**
 * Applies `update` to every segment within `[start, end)`, splitting the segments at both ends
 * first (segments only split, never merge, like the contract's storage). Mutates `segments`
 * (the caller owns the array); segment objects themselves are replaced, never mutated. The range
 * is clamped to the segments' extent.
 *
 * @param segments Sorted, contiguous segments of one batch.
 * @param start First index.
 * @param end Index past the last.
 * @param update Returns the replacement of one segment.
 */
export function assignRange<S extends Ranged>(
  segments: S[],
  start: bigint,
  end: bigint,
  update: (segment: S) => S,
): void {
  if (segments.length === 0) return;
  const lo = start < segments[0]!.start ? segments[0]!.start : start;
  const last = segments[segments.length - 1]!.end;
  const hi = end > last ? last : end;
  if (lo >= hi) return;
  const i = splitAt(segments, lo);
  const j = splitAt(segments, hi);
  for (let k = i; k < j; k++) segments[k] = update(segments[k]!);
}
