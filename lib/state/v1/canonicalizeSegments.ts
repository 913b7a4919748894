import type { SnapshotSegment } from "./types.js";

/**
 * Canonical custody segments: sorted by (batchId, start), addresses and ids lowercase, and
 * adjacent segments of the same batch with the same holder and frozen reason merged into one.
 * Two segment lists describe the same custody exactly when their canonical forms are equal,
 * whatever splits the contract's storage happens to contain.
 *
 * @param segments Segments of any number of batches, in any order.
 * @returns A new, canonical list.
 * @example
 * canonicalizeSegments([{ batchId, start: 0n, end: 5n, holder: a, frozenReason: 0 }, { batchId, start: 5n, end: 9n, holder: a, frozenReason: 0 }])
 * // -> [{ batchId, start: 0n, end: 9n, holder: a, frozenReason: 0 }]
 */
export function canonicalizeSegments(segments: readonly SnapshotSegment[]): SnapshotSegment[] {
  const sorted = segments
    .map((s) => ({
      batchId: s.batchId.toLowerCase() as SnapshotSegment["batchId"],
      start: s.start,
      end: s.end,
      holder: s.holder.toLowerCase() as SnapshotSegment["holder"],
      frozenReason: Number(s.frozenReason),
    }))
    .sort((a, b) =>
      a.batchId < b.batchId ? -1 : a.batchId > b.batchId ? 1 : a.start < b.start ? -1 : a.start > b.start ? 1 : 0,
    );
  const out: SnapshotSegment[] = [];
  for (const s of sorted) {
    const prev = out[out.length - 1];
    if (
      prev &&
      prev.batchId === s.batchId &&
      prev.end === s.start &&
      prev.holder === s.holder &&
      prev.frozenReason === s.frozenReason
    ) {
      prev.end = s.end;
    } else {
      out.push(s);
    }
  }
  return out;
}
