import type { AuditRule } from "../../types.js";
import { evidenceOf, lc, maskRanges } from "../internal/helpers.js";

/** double-redemption: a key marked redeemed a second time. */
export const doubleRedemption: AuditRule = {
  id: "double-redemption",
  title: "Key redeemed twice",
  severity: "critical",
  description: "A redemption marks keys that were already redeemed (the same key consumed twice: sold twice).",
  enforcedByContract: "yes",
  create() {
    return {
      check({ event, state }) {
        if (event.eventName !== "KeysRedeemed") return [];
        const batchId = lc(event.args.batchId);
        const b = state.batches.get(batchId);
        const already = (b?.redeemed.get(event.args.wordIndex) ?? 0n) & event.args.mask;
        if (already === 0n) return [];
        return [
          {
            message: `${lc(event.args.by)} redeemed keys of batch ${batchId} that were already redeemed.`,
            batchId,
            supplier: b?.record.supplier ?? null,
            parties: [lc(event.args.by)],
            ranges: maskRanges(event.args.wordIndex, already),
            evidence: [evidenceOf(event)],
            details: { wordIndex: Number(event.args.wordIndex) },
          },
        ];
      },
    };
  },
};
