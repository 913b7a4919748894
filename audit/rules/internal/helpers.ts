import type { Address, Hex } from "viem";
import type { LedgerEvent, LedgerState, SegmentRecord } from "../../../lib/state/types.js";
import type { Evidence, KeyRange } from "../../../lib/formats/auditReport.js";

/** Lowercase hex. */
export const lc = <T extends string>(s: T): T => s.toLowerCase() as T;

/** A segment's effective freeze reason (the regulator layer's first, as `keyStatus` reports it); 0 = not frozen. */
export const frozenReasonOf = (s: { regulatorReason: number; supplierReason: number }): number =>
  s.regulatorReason !== 0 ? s.regulatorReason : s.supplierReason;

/** The evidence record of an event. */
export function evidenceOf(e: LedgerEvent): Evidence {
  return {
    txHash: e.txHash,
    blockNumber: Number(e.blockNumber),
    logIndex: e.logIndex,
    timestamp: Number(e.timestamp),
    event: e.eventName,
  };
}

/** Whether an expiry (0 = never) has passed at `timestamp` — the contract's rule: expired when now > until. */
export function isExpired(until: bigint, timestamp: bigint): boolean {
  return until !== 0n && timestamp > until;
}

/** The batch's segments overlapping [start, end), each clipped to the range. */
export function segmentsIn(state: LedgerState, batchId: Hex, start: bigint, end: bigint): SegmentRecord[] {
  const b = state.batches.get(lc(batchId));
  if (!b) return [];
  const out: SegmentRecord[] = [];
  const segs = b.segments;
  let lo = 0;
  let hi = segs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (segs[mid]!.end <= start) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < segs.length; i++) {
    const s = segs[i]!;
    if (s.start >= end) break;
    if (s.end <= start) continue;
    out.push({ ...s, start: s.start > start ? s.start : start, end: s.end < end ? s.end : end });
  }
  return out;
}

/** Number of set bits. */
export function popcount(x: bigint): number {
  let n = 0;
  let v = x;
  while (v > 0n) {
    v &= v - 1n;
    n++;
  }
  return n;
}

/** Runs of set bits of a redemption word as key ranges: bit i = index wordIndex*256+i. */
export function maskRanges(wordIndex: bigint, mask: bigint): KeyRange[] {
  const base = Number(wordIndex) * 256;
  const out: KeyRange[] = [];
  let i = 0;
  let v = mask;
  while (v > 0n) {
    if (v & 1n) {
      const start = i;
      while (v & 1n) {
        v >>= 1n;
        i++;
      }
      out.push({ start: base + start, end: base + i });
    } else {
      v >>= 1n;
      i++;
    }
  }
  return out;
}

/** Merges touching ranges (input sorted or not). */
export function mergeRanges(ranges: readonly KeyRange[]): KeyRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: KeyRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && last.end >= r.start) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/** Keys in ranges. */
export const rangeKeys = (ranges: readonly KeyRange[]): number => ranges.reduce((n, r) => n + (r.end - r.start), 0);

/** Party kind names. */
export const kindName = (kind: number | undefined): string =>
  kind === 1 ? "supplier" : kind === 2 ? "distributor" : kind === 3 ? "retailer" : "unregistered";

/** Unique, in first-seen order. */
export const uniq = (xs: readonly Address[]): Address[] => [...new Set(xs.map(lc))];

/** ISO 4217 text of a bytes3 currency (e.g. 0x434e59 -> "CNY"). */
export function currencyText(currency: Hex): string {
  const hex = currency.slice(2);
  let s = "";
  for (let i = 0; i + 1 < hex.length; i += 2) {
    const c = parseInt(hex.slice(i, i + 2), 16);
    if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
  }
  return s;
}
