import type { LedgerState } from "../types.js";
import { toSnapshot } from "../toSnapshot.js";
import { canonicalizeSegments } from "./canonicalizeSegments.js";
import type { LedgerSnapshot as LedgerSnapshotV1 } from "./types.js";

/**
 * The version 1 snapshot of a state the version 2 reducer built from a version 1 ledger's logs
 * (mapped by lib/events `createLedgerLogDecoder`): what an indexer of a version 1 ledger reports,
 * so the audit compares digests in the ledger's own version. Drops party ids, suspension and sale
 * fields; a key's frozen reason is its regulator reason, else its supplier reason (version 1
 * ledgers only write the supplier layer once mapped).
 *
 * @param state A state of {@link applyLedgerEvents} (lib/state).
 * @returns The version 1 snapshot, for lib/state/v1 `computeStateDigest`.
 * @example
 * const digestV1 = computeStateDigestV1(toSnapshotV1(state));
 */
export function toSnapshotV1(state: LedgerState): LedgerSnapshotV1 {
  const s = toSnapshot(state);
  return {
    version: 1,
    parties: s.parties.map((p) => ({
      address: p.address,
      kind: p.kind,
      suspended: p.suspended,
      accreditedUntil: p.accreditedUntil,
      profileHash: p.profileHash,
      profileURI: p.profileURI,
    })),
    authorizations: s.authorizations,
    redeemers: s.redeemers,
    batches: s.batches.map(({ saleRequired: _saleRequired, ...b }) => b),
    segments: canonicalizeSegments(
      s.segments.map((g) => ({
        batchId: g.batchId,
        start: g.start,
        end: g.end,
        holder: g.holder,
        frozenReason: g.regulatorReason !== 0 ? g.regulatorReason : g.supplierReason,
      })),
    ),
    redemptions: s.redemptions,
  };
}
