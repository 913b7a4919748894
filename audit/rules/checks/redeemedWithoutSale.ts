import type { KeyRange } from "../../../lib/formats/auditReport.js";
import type { AuditRule } from "../../types.js";
import { evidenceOf, lc, maskRanges, segmentsIn } from "../internal/helpers.js";

/**
 * redeemed-without-sale: keys redeemed while they had no live sale (never sold, or refunded), on a
 * sale-required batch (the ledger refuses it; reported here too: the replay trusts nothing) or on
 * a batch whose keys are sold through the ledger (at least one sale): there it is allowed, but
 * means the key reached a buyer outside the ledger's sales, or after a refund.
 */
export const redeemedWithoutSale: AuditRule = {
  id: "redeemed-without-sale",
  title: "Keys redeemed without a sale",
  severity: "low",
  description:
    "A redemption includes keys with no live sale at the time (never sold, or refunded) of a batch that requires a sale (KeyLedger v2 refuses it) or has sales on the ledger (allowed: keys sold outside the ledger).",
  enforcedByContract: "partly",
  create() {
    return {
      check({ event, state }) {
        if (event.eventName !== "KeysRedeemed") return [];
        const batchId = lc(event.args.batchId);
        const b = state.batches.get(batchId);
        // A batch never sold through the ledger is sold off-ledger by design (version 1 flow).
        if (!b || (!b.record.saleRequired && b.sales.size === 0)) return [];
        const fresh = event.args.mask & ~(b.redeemed.get(event.args.wordIndex) ?? 0n);
        const hits: KeyRange[] = [];
        for (const r of maskRanges(event.args.wordIndex, fresh)) {
          for (const s of segmentsIn(state, batchId, BigInt(r.start), BigInt(r.end))) {
            if (s.saleNo === 0 || s.refunded) hits.push({ start: Number(s.start), end: Number(s.end) });
          }
        }
        if (hits.length === 0) return [];
        return [
          {
            message: `${lc(event.args.by)} redeemed keys of batch ${batchId} that had no live sale${b.record.saleRequired ? " (the batch requires a sale)" : ""}.`,
            batchId,
            supplier: b.record.supplier,
            parties: [lc(event.args.by)],
            ranges: hits,
            evidence: [evidenceOf(event)],
            details: { saleRequired: b.record.saleRequired },
          },
        ];
      },
    };
  },
};
