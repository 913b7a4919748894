import type { Address } from "viem";
import type { LedgerEvent, LedgerState } from "../../../lib/state/types.js";
import type { AuditRule, FindingDraft } from "../../types.js";
import { evidenceOf, lc } from "../internal/helpers.js";

/**
 * seller-refunds: a seller whose refunds reach `refundRate` of the keys it sold (aggregated at the
 * end of the replay). Refunds freeze the key and let it be sold again: a high rate is the pattern
 * of receipts issued and withdrawn, or of keys sold twice off the ledger.
 */
export const sellerRefunds: AuditRule = {
  id: "seller-refunds",
  title: "Seller with many refunds",
  severity: "medium",
  description:
    "A seller's refunded keys reach refundRate (default 0.1) of the keys it sold. Reports the count of refunds, keys sold and the rate.",
  enforcedByContract: "no",
  create(options) {
    // Per seller, by party id when registered (a re-keyed seller stays one seller), else by account.
    const sold = new Map<string, number>();
    const refunds = new Map<string, LedgerEvent[]>();
    const sellerKey = (state: LedgerState, seller: Address) => {
      const id = state.parties.get(seller)?.id;
      return id === undefined ? seller : `id:${id}`;
    };
    return {
      check({ event, state }) {
        if (event.eventName === "KeysSold") {
          const s = sellerKey(state, lc(event.args.seller));
          sold.set(s, (sold.get(s) ?? 0) + event.args.indices.length);
        } else if (event.eventName === "SaleRefunded") {
          const s = sellerKey(state, lc(event.args.seller));
          refunds.set(s, [...(refunds.get(s) ?? []), event]);
        }
        return [];
      },
      finish(state) {
        const out: FindingDraft[] = [];
        const accountOf = (key: string): Address => {
          if (!key.startsWith("id:")) return key as Address;
          const id = Number(key.slice(3));
          for (const p of state.parties.values()) if (p.id === id) return p.address;
          return key as Address;
        };
        for (const [key, evs] of [...refunds].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
          const seller = accountOf(key);
          const keys = sold.get(key) ?? 0;
          const rate = keys > 0 ? evs.length / keys : 1;
          if (rate < options.refundRate) continue;
          out.push({
            message: `${seller} refunded ${evs.length} of the ${keys} keys it sold (rate ${rate.toFixed(4)}).`,
            batchId: null,
            supplier: null,
            parties: [seller],
            ranges: [],
            evidence: evs.slice(0, 20).map(evidenceOf),
            details: { refunds: evs.length, keysSold: keys, refundRate: Math.round(rate * 10_000) / 10_000 },
            at: evs[evs.length - 1]!,
          });
        }
        return out;
      },
    };
  },
};
