import type { AuditRule } from "../../types.js";
import { evidenceOf, isExpired, lc, mergeRanges } from "../internal/helpers.js";

/**
 * sold-after-expiry: keys sold after their batch expired (block time past `expiresAt`). The
 * ledger does not check a batch's expiry when selling; a buyer gets a key that no longer works.
 */
export const soldAfterExpiry: AuditRule = {
  id: "sold-after-expiry",
  title: "Keys sold after their batch expired",
  severity: "high",
  description: "A sale (KeysSold) of keys whose batch had expired (expiresAt) at the sale's block time.",
  enforcedByContract: "no",
  create() {
    return {
      check({ event, state }) {
        if (event.eventName !== "KeysSold") return [];
        const batchId = lc(event.args.batchId);
        const b = state.batches.get(batchId);
        if (!b || !isExpired(b.record.expiresAt, event.timestamp)) return [];
        const seller = lc(event.args.seller);
        return [
          {
            message: `${seller} sold ${event.args.indices.length} keys of batch ${batchId} after it expired at ${b.record.expiresAt} (sale ${event.args.saleNo}).`,
            batchId,
            supplier: b.record.supplier,
            parties: [seller],
            ranges: mergeRanges(event.args.indices.map((i) => ({ start: Number(i), end: Number(i) + 1 }))),
            evidence: [evidenceOf(event)],
            details: { saleNo: event.args.saleNo, batchExpiresAt: Number(b.record.expiresAt) },
          },
        ];
      },
    };
  },
};
