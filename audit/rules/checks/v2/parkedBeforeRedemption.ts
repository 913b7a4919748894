import type { Address } from "viem";
import type { AuditRule, Hop } from "../../../types.js";
import type { KeyRange } from "../../../../lib/formats/auditReport.js";
import { lc, maskRanges, mergeRanges, segmentsIn } from "../../internal/helpers.js";
import { hopEvidence } from "../../internal/hopEvidence.js";
import { identityOf } from "../../internal/limits.js";

/**
 * parked-before-redemption (Audit v2): keys redeemed while held by a retailer that received them
 * within parkingWindowSeconds and has never recorded a sale, on a ledger where sales are recorded —
 * the distributor's way around redeemed-upstream: park the keys with its own sham retailer first.
 */
export const parkedBeforeRedemption: AuditRule = {
  id: "parked-before-redemption",
  title: "Keys parked with a retailer that never sells, just before redemption",
  severity: "high",
  description:
    "A redemption of keys held by a retailer that received them at most parkingWindowSeconds (7 days) earlier and has recorded no sale, while the ledger records sales (KeysSold) of other sellers.",
  enforcedByContract: "no",
  create(options) {
    const sellers = new Set<string>();
    return {
      check({ event, state, history }) {
        if (event.eventName === "KeysSold") {
          sellers.add(identityOf(state, event.args.seller));
          return [];
        }
        if (event.eventName !== "KeysRedeemed" || sellers.size === 0) return [];
        const batchId = lc(event.args.batchId);
        const now = Number(event.timestamp);
        const hits: KeyRange[] = [];
        const hops: Hop[] = [];
        const holders = new Set<Address>();
        for (const r of maskRanges(event.args.wordIndex, event.args.mask)) {
          for (const s of segmentsIn(state, batchId, BigInt(r.start), BigInt(r.end))) {
            if (state.parties.get(s.holder)?.kind !== 3 || sellers.has(identityOf(state, s.holder))) continue;
            for (const c of history.chains(batchId, Number(s.start), Number(s.end))) {
              const last = c.hops[c.hops.length - 1]!;
              if (last.to !== s.holder || last.from === null || now - last.timestamp > options.parkingWindowSeconds)
                continue;
              hits.push({ start: c.start, end: c.end });
              if (!hops.includes(last)) hops.push(last);
              holders.add(s.holder);
            }
          }
        }
        if (hits.length === 0) return [];
        const senders = [...new Set(hops.map((h) => h.from!))];
        const seconds = now - Math.min(...hops.map((h) => h.timestamp));
        return [
          {
            message: `Keys of batch ${batchId} were redeemed ${seconds} s after ${senders.join(", ")} passed them to retailer ${[...holders].join(", ")}, which has recorded no sale.`,
            batchId,
            supplier: state.batches.get(batchId)?.record.supplier ?? null,
            parties: [...new Set([lc(event.args.by), ...holders, ...senders])],
            ranges: mergeRanges(hits),
            evidence: hopEvidence(hops, event),
            details: { retailers: [...holders], from: senders, secondsAfterHop: seconds },
          },
        ];
      },
    };
  },
};
