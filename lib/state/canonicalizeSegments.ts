import type { SnapshotSegment } from "./types.js";

/** Whether two segments carry the same per-key values (holder, both freeze reasons, sale pointer). */
export function sameSegmentValues(a: SnapshotSegment, b: SnapshotSegment): boolean {
  return (
    a.holder === b.holder &&
    a.regulatorReason === b.regulatorReason &&
    a.supplierReason === b.supplierReason &&
    a.saleNo === b.saleNo &&
    a.refunded === b.refunded
  );
}

/**
 * Canonical segments: sorted by (batchId, start), addresses and ids lowercase, and adjacent
 * segments of the same batch with the same holder, regulator reason, supplier reason and sale
 * pointer (saleNo, refunded) merged into one. Two segment lists describe the same per-key state
 * exactly when their canonical forms are equal, whatever splits the storage happens to contain.
 *
 * @param segments Segments of any number of batches, in any order.
 * @returns A new, canonical list.
 * @example
 * const v = { holder: a, regulatorReason: 0, supplierReason: 0, saleNo: 0, refunded: false };
 * canonicalizeSegments([{ batchId, start: 0n, end: 5n, ...v }, { batchId, start: 5n, end: 9n, ...v }])
 * // -> [{ batchId, start: 0n, end: 9n, ...v }]
 */
export function canonicalizeSegments(segments: readonly SnapshotSegment[]): SnapshotSegment[] {
  const sorted = segments
    .map((s): SnapshotSegment => ({
      batchId: s.batchId.toLowerCase() as SnapshotSegment["batchId"],
      start: s.start,
      end: s.end,
      holder: s.holder.toLowerCase() as SnapshotSegment["holder"],
      regulatorReason: Number(s.regulatorReason),
      supplierReason: Number(s.supplierReason),
      saleNo: Number(s.saleNo),
      refunded: Boolean(s.refunded),
    }))
    .sort((a, b) =>
      a.batchId < b.batchId ? -1 : a.batchId > b.batchId ? 1 : a.start < b.start ? -1 : a.start > b.start ? 1 : 0,
    );
  const out: SnapshotSegment[] = [];
  for (const s of sorted) {
    const prev = out[out.length - 1];
    if (prev && prev.batchId === s.batchId && prev.end === s.start && sameSegmentValues(prev, s)) {
      prev.end = s.end;
    } else {
      out.push(s);
    }
  }
  return out;
}
