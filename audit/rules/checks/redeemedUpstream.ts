import type { Address } from "viem";
import type { AuditRule } from "../../types.js";
import { evidenceOf, kindName, lc, maskRanges, mergeRanges, segmentsIn } from "../internal/helpers.js";
import type { KeyRange } from "../../../lib/formats/auditReport.js";

/**
 * redeemed-upstream: keys redeemed while the ledger says a supplier or distributor still held them
 * — no retailer ever received them, so the consumer got them outside the recorded channel (the
 * signature of leaked or "black" cards, 黑卡).
 */
export const redeemedUpstream: AuditRule = {
  id: "redeemed-upstream",
  title: "Keys redeemed while held upstream of any retailer",
  severity: "high",
  description:
    "A redemption of keys whose holder at the time was not a retailer (a supplier, a distributor, or an unregistered account).",
  enforcedByContract: "no",
  create() {
    return {
      check({ event, state }) {
        if (event.eventName !== "KeysRedeemed") return [];
        const batchId = lc(event.args.batchId);
        const byHolder = new Map<Address, KeyRange[]>();
        for (const r of maskRanges(event.args.wordIndex, event.args.mask)) {
          for (const s of segmentsIn(state, batchId, BigInt(r.start), BigInt(r.end))) {
            if (state.parties.get(s.holder)?.kind === 3) continue;
            const list = byHolder.get(s.holder) ?? [];
            list.push({ start: Number(s.start), end: Number(s.end) });
            byHolder.set(s.holder, list);
          }
        }
        if (byHolder.size === 0) return [];
        const holders = [...byHolder.keys()];
        const kinds = holders.map((h) => `${h}:${kindName(state.parties.get(h)?.kind)}`);
        return [
          {
            message: `Keys of batch ${batchId} were redeemed while held by ${holders.map((h) => `${h} (${kindName(state.parties.get(h)?.kind)})`).join(", ")}, upstream of any retailer.`,
            batchId,
            supplier: state.batches.get(batchId)?.record.supplier ?? null,
            parties: [lc(event.args.by), ...holders.filter((h) => h !== lc(event.args.by))],
            ranges: mergeRanges([...byHolder.values()].flat()),
            evidence: [evidenceOf(event)],
            details: { holders: kinds },
          },
        ];
      },
    };
  },
};
