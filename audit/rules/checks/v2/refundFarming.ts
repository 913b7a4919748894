import type { Address } from "viem";
import type { AuditRule, FindingDraft } from "../../../types.js";
import type { LedgerEvent } from "../../../../lib/state/types.js";
import { evidenceOf, lc } from "../../internal/helpers.js";
import { identityOf } from "../../internal/limits.js";

/**
 * refund-farming (Audit v2): a key refunded a second time by the same seller (sold, refunded, sold
 * again, refunded again: high), or a seller whose refunds over a rolling refundWindowSeconds reach
 * refundMinimum and refundRate of its sales in that window (medium). Reported when it happens, so
 * the finding (and its id) stays the same in a later, longer run.
 */
export const refundFarming: AuditRule = {
  id: "refund-farming",
  title: "Refund farming: keys refunded again, or refunds at a high rate",
  severity: "medium",
  description:
    "A key refunded twice by the same seller (high), or a seller's refunds within refundWindowSeconds (30 days) reaching refundMinimum (5) and refundRate (0.1) of the keys it sold in the window (medium).",
  enforcedByContract: "no",
  create(options) {
    const perKey = new Map<string, LedgerEvent[]>();
    type Seller = { sales: { t: number; keys: number }[]; refunds: LedgerEvent[]; over: boolean };
    const sellers = new Map<string, Seller>();
    const sellerOf = (id: string): Seller => {
      let s = sellers.get(id);
      if (!s) sellers.set(id, (s = { sales: [], refunds: [], over: false }));
      return s;
    };
    return {
      check({ event, state }) {
        const now = Number(event.timestamp);
        if (event.eventName === "KeysSold") {
          sellerOf(identityOf(state, event.args.seller)).sales.push({ t: now, keys: event.args.indices.length });
          return [];
        }
        if (event.eventName !== "SaleRefunded") return [];
        const out: FindingDraft[] = [];
        const seller: Address = lc(event.args.seller);
        const id = identityOf(state, seller);
        const batchId = lc(event.args.batchId);
        const supplier = state.batches.get(batchId)?.record.supplier ?? null;
        const index = Number(event.args.index);
        const keyId = `${id}|${batchId}|${index}`;
        const again = [...(perKey.get(keyId) ?? []), event];
        perKey.set(keyId, again);
        if (again.length >= 2) {
          out.push({
            severity: "high",
            message: `${seller} refunded key ${index} of batch ${batchId} for the ${again.length}th time (sold and refunded again).`,
            batchId,
            supplier,
            parties: [seller],
            ranges: [{ start: index, end: index + 1 }],
            evidence: again.map(evidenceOf),
            details: { refunds: again.length, index },
          });
        }
        const s = sellerOf(id);
        s.refunds.push(event);
        const from = now - options.refundWindowSeconds;
        s.refunds = s.refunds.filter((r) => Number(r.timestamp) >= from);
        s.sales = s.sales.filter((x) => x.t >= from);
        const sold = s.sales.reduce((n, x) => n + x.keys, 0);
        const rate = sold > 0 ? s.refunds.length / sold : 1;
        const over = s.refunds.length >= options.refundMinimum && rate >= options.refundRate;
        if (over && !s.over) {
          out.push({
            message: `${seller} refunded ${s.refunds.length} keys within ${options.refundWindowSeconds} s against ${sold} keys sold in that time (rate ${rate.toFixed(4)}).`,
            batchId: null,
            supplier: null,
            parties: [seller],
            ranges: [],
            evidence: s.refunds.slice(-20).map(evidenceOf),
            details: { refunds: s.refunds.length, keysSold: sold, refundRate: Math.round(rate * 10_000) / 10_000 },
          });
        }
        s.over = over;
        return out;
      },
    };
  },
};
