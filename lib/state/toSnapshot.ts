import type { LedgerSnapshot, LedgerState, SnapshotSale, SnapshotSaleItem, SnapshotSegment } from "./types.js";
import { canonicalizeSegments } from "./canonicalizeSegments.js";

const byKey =
  <T>(key: (t: T) => string) =>
  (a: T, b: T) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };

/**
 * The canonical snapshot (version 2) of a replay state: lists sorted, segments merged where
 * adjacent ones share holder, both freeze reasons and sale pointer, redemption words with no bit
 * set dropped, sales by (batchId, saleNo) with their items by index.
 *
 * @param state A state built by {@link applyLedgerEvent} / {@link applyLedgerEvents}.
 * @returns A {@link LedgerSnapshot} ready for `computeStateDigest`.
 * @example
 * const digest = computeStateDigest(toSnapshot(applyLedgerEvents(createLedgerState(), events)));
 */
export function toSnapshot(state: LedgerState): LedgerSnapshot {
  const parties = [...state.parties.values()].sort(byKey((p) => p.address));
  const rekeyProposals = [...state.rekeyProposals.values()].sort(byKey((r) => r.oldAccount));
  const authorizations = [...state.authorizations.values()].sort(byKey((a) => `${a.supplier}:${a.distributor}`));
  const redeemers = [...state.redeemers.values()].sort(byKey((r) => `${r.supplier}:${r.redeemer}`));
  const batchStates = [...state.batches.values()].sort(byKey((b) => b.record.batchId));
  const segments: SnapshotSegment[] = [];
  const redemptions: LedgerSnapshot["redemptions"] = [];
  const sales: SnapshotSale[] = [];
  const saleItems: SnapshotSaleItem[] = [];
  for (const b of batchStates) {
    const batchId = b.record.batchId;
    for (const s of b.segments) segments.push({ batchId, ...s });
    const words = [...b.redeemed.entries()]
      .filter(([, m]) => m !== 0n)
      .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    for (const [wordIndex, mask] of words) redemptions.push({ batchId, wordIndex, mask });
    for (const sale of [...b.sales.values()].sort((x, y) => x.saleNo - y.saleNo)) {
      const { items, ...rest } = sale;
      sales.push({ batchId, ...rest, itemCount: items.length });
      const sorted = items.slice().sort((x, y) => (x.index < y.index ? -1 : x.index > y.index ? 1 : 0));
      for (const item of sorted) saleItems.push({ batchId, saleNo: sale.saleNo, ...item });
    }
  }
  return {
    version: 2,
    parties: parties.map((p) => ({ ...p })),
    rekeyProposals: rekeyProposals.map((r) => ({ ...r })),
    authorizations: authorizations.map((a) => ({ ...a })),
    redeemers: redeemers.map((r) => ({ ...r })),
    batches: batchStates.map((b) => ({ ...b.record })),
    segments: canonicalizeSegments(segments),
    redemptions,
    sales,
    saleItems,
  };
}
