import type { Hex } from "viem";
import type { ChainInterval, CustodyHistoryView, Hop } from "../../types.js";

/** Per-batch custody chains, kept as intervals sharing immutable hop arrays. */
export type CustodyHistory = CustodyHistoryView & {
  /** Starts a batch: [0, count) with the anchoring hop. */
  anchor(batchId: Hex, count: number, hop: Hop): void;
  /** Appends a hop to every key of [start, end). */
  append(batchId: Hex, start: number, end: number, hop: Hop): void;
};

function splitAt(intervals: ChainInterval[], x: number): number {
  let lo = 0;
  let hi = intervals.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const it = intervals[mid]!;
    if (x < it.start) hi = mid - 1;
    else if (x >= it.end) lo = mid + 1;
    else {
      if (it.start === x) return mid;
      intervals.splice(mid, 1, { start: it.start, end: x, hops: it.hops }, { start: x, end: it.end, hops: it.hops });
      return mid + 1;
    }
  }
  return lo;
}

/**
 * Creates the custody history the rules use for chain-shaped checks (rapid hops, circular flows).
 * Memory stays proportional to the number of distinct chains, not keys.
 */
export function createCustodyHistory(): CustodyHistory {
  const batches = new Map<string, ChainInterval[]>();
  return {
    anchor(batchId, count, hop) {
      if (!batches.has(batchId.toLowerCase()))
        batches.set(batchId.toLowerCase(), [{ start: 0, end: count, hops: [hop] }]);
    },
    append(batchId, start, end, hop) {
      const intervals = batches.get(batchId.toLowerCase());
      if (!intervals || intervals.length === 0) return;
      const lo = Math.max(start, intervals[0]!.start);
      const hi = Math.min(end, intervals[intervals.length - 1]!.end);
      if (lo >= hi) return;
      const i = splitAt(intervals, lo);
      const j = splitAt(intervals, hi);
      for (let k = i; k < j; k++) {
        const it = intervals[k]!;
        intervals[k] = { start: it.start, end: it.end, hops: [...it.hops, hop] };
      }
      // Merge neighbours that now share the very same chain (same array contents by reference of last hop).
      for (let k = Math.max(i, 1); k <= Math.min(j, intervals.length - 1); k++) {
        const a = intervals[k - 1]!;
        const b = intervals[k]!;
        if (a.end === b.start && a.hops.length === b.hops.length && a.hops.every((h, n) => h === b.hops[n])) {
          intervals.splice(k - 1, 2, { start: a.start, end: b.end, hops: a.hops });
          k--;
        }
      }
    },
    chains(batchId, start, end) {
      const intervals = batches.get(batchId.toLowerCase()) ?? [];
      const out: ChainInterval[] = [];
      for (const it of intervals) {
        if (it.end <= start) continue;
        if (it.start >= end) break;
        out.push({ start: Math.max(it.start, start), end: Math.min(it.end, end), hops: it.hops });
      }
      return out;
    },
  };
}
