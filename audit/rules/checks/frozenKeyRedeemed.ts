import type { AuditRule } from "../../types.js";
import { evidenceOf, frozenReasonOf, lc, maskRanges, segmentsIn } from "../internal/helpers.js";
import type { KeyRange } from "../../../lib/formats/auditReport.js";

/** frozen-key-redeemed: a redemption marks keys that were frozen (revoked) at the time. */
export const frozenKeyRedeemed: AuditRule = {
  id: "frozen-key-redeemed",
  title: "Frozen keys redeemed",
  severity: "critical",
  description: "A redemption includes keys that were revoked (frozen) and not reinstated at the time.",
  enforcedByContract: "yes",
  create() {
    return {
      check({ event, state }) {
        if (event.eventName !== "KeysRedeemed") return [];
        const batchId = lc(event.args.batchId);
        const hits: KeyRange[] = [];
        for (const r of maskRanges(event.args.wordIndex, event.args.mask)) {
          for (const s of segmentsIn(state, batchId, BigInt(r.start), BigInt(r.end))) {
            if (frozenReasonOf(s) !== 0) hits.push({ start: Number(s.start), end: Number(s.end) });
          }
        }
        if (hits.length === 0) return [];
        return [
          {
            message: `${lc(event.args.by)} redeemed frozen keys of batch ${batchId}.`,
            batchId,
            supplier: state.batches.get(batchId)?.record.supplier ?? null,
            parties: [lc(event.args.by)],
            ranges: hits,
            evidence: [evidenceOf(event)],
            details: {},
          },
        ];
      },
    };
  },
};
