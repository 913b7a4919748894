import type { LedgerSnapshot, LedgerState, SnapshotSegment } from "./types.js";
import { canonicalizeSegments } from "./canonicalizeSegments.js";

const byKey =
  <T>(key: (t: T) => string) =>
  (a: T, b: T) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };

/**
 * The canonical snapshot of a replay state: lists sorted, segments merged where adjacent ones
 * share holder and frozen reason, redemption words with no bit set dropped.
 *
 * @param state A state built by {@link applyLedgerEvent} / {@link applyLedgerEvents}.
 * @returns A {@link LedgerSnapshot} ready for `computeStateDigest`.
 * @example
 * const digest = computeStateDigest(toSnapshot(applyLedgerEvents(createLedgerState(), events)));
 */
export function toSnapshot(state: LedgerState): LedgerSnapshot {
  const parties = [...state.parties.values()].sort(byKey((p) => p.address));
  const authorizations = [...state.authorizations.values()].sort(byKey((a) => `${a.supplier}:${a.distributor}`));
  const redeemers = [...state.redeemers.values()].sort(byKey((r) => `${r.supplier}:${r.redeemer}`));
  const batchStates = [...state.batches.values()].sort(byKey((b) => b.record.batchId));
  const segments: SnapshotSegment[] = [];
  const redemptions: LedgerSnapshot["redemptions"] = [];
  for (const b of batchStates) {
    for (const s of b.segments) segments.push({ batchId: b.record.batchId, ...s });
    const words = [...b.redeemed.entries()]
      .filter(([, m]) => m !== 0n)
      .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    for (const [wordIndex, mask] of words) redemptions.push({ batchId: b.record.batchId, wordIndex, mask });
  }
  return {
    version: 1,
    parties: parties.map((p) => ({ ...p })),
    authorizations: authorizations.map((a) => ({ ...a })),
    redeemers: redeemers.map((r) => ({ ...r })),
    batches: batchStates.map((b) => ({ ...b.record })),
    segments: canonicalizeSegments(segments),
    redemptions,
  };
}
